-- Rows that every reading updates (its device, its seq range, its minute's rollup) leave room on
-- their page, so the update can be HOT: no new index entries, far less write work per reading.
ALTER TABLE "devices" SET (fillfactor = 70);--> statement-breakpoint
ALTER TABLE "device_sequences" SET (fillfactor = 70);--> statement-breakpoint
ALTER TABLE "reading_rollups" SET (fillfactor = 70);
