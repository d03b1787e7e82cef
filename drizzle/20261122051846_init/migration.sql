CREATE TABLE "change_results" (
	"command_id" text PRIMARY KEY,
	"sequence" bigint NOT NULL,
	"event_type" text NOT NULL,
	"actor" text NOT NULL,
	"affected" integer NOT NULL,
	"applied_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "projector_checkpoints" (
	"name" text PRIMARY KEY,
	"last_sequence" bigint NOT NULL,
	"last_event_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "readings" (
	"id" bigint PRIMARY KEY,
	"sensor_type" text NOT NULL,
	"value" double precision NOT NULL,
	"device_code" text NOT NULL,
	"device_number" integer NOT NULL,
	"timestamp" timestamp with time zone NOT NULL,
	"seq" integer,
	"recorded_at" timestamp with time zone NOT NULL,
	"updated_at" timestamp with time zone,
	"updated_by" text,
	"deleted_at" timestamp with time zone,
	"deleted_by" text,
	"restored_at" timestamp with time zone,
	"restored_by" text,
	"version" integer DEFAULT 0 NOT NULL
);
--> statement-breakpoint
CREATE INDEX "readings_active_device_time_idx" ON "readings" ("device_code","device_number","timestamp","id") WHERE deleted_at IS NULL;--> statement-breakpoint
CREATE INDEX "readings_active_number_time_idx" ON "readings" ("device_number","timestamp","id") WHERE deleted_at IS NULL;--> statement-breakpoint
CREATE INDEX "readings_active_type_time_idx" ON "readings" ("sensor_type","timestamp","id") WHERE deleted_at IS NULL;--> statement-breakpoint
CREATE INDEX "readings_active_time_idx" ON "readings" ("timestamp","id") WHERE deleted_at IS NULL;--> statement-breakpoint
CREATE INDEX "readings_deleted_device_time_idx" ON "readings" ("device_code","device_number","timestamp","id") WHERE deleted_at IS NOT NULL;--> statement-breakpoint
CREATE INDEX "readings_deleted_time_idx" ON "readings" ("timestamp","id") WHERE deleted_at IS NOT NULL;--> statement-breakpoint
CREATE VIEW "active_readings" AS (select "id", "sensor_type", "value", "device_code", "device_number", "timestamp", "seq", "recorded_at", "updated_at", "updated_by", "deleted_at", "deleted_by", "restored_at", "restored_by", "version" from "readings" where deleted_at IS NULL);--> statement-breakpoint
CREATE VIEW "deleted_readings" AS (select "id", "sensor_type", "value", "device_code", "device_number", "timestamp", "seq", "recorded_at", "updated_at", "updated_by", "deleted_at", "deleted_by", "restored_at", "restored_by", "version" from "readings" where deleted_at IS NOT NULL);