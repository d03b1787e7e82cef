DROP INDEX "devices_changed_sequence_idx";--> statement-breakpoint
DROP INDEX "devices_last_seen_idx";--> statement-breakpoint
ALTER TABLE "devices" DROP COLUMN "lost_messages";