CREATE TABLE "device_sequences" (
	"device_code" text,
	"device_number" integer,
	"sensor_type" text,
	"min_seq" bigint NOT NULL,
	"max_seq" bigint NOT NULL,
	"seq_count" bigint NOT NULL,
	CONSTRAINT "device_sequences_pkey" PRIMARY KEY("device_code","device_number","sensor_type")
);
--> statement-breakpoint
CREATE TABLE "devices" (
	"device_code" text,
	"device_number" integer,
	"first_seen_at" timestamp with time zone NOT NULL,
	"last_seen_at" timestamp with time zone NOT NULL,
	"sensor_types" text[] NOT NULL,
	"reading_count" bigint NOT NULL,
	"lost_messages" integer DEFAULT 0 NOT NULL,
	"interval_ms" integer DEFAULT 5000 NOT NULL,
	"changed_sequence" bigint NOT NULL,
	CONSTRAINT "devices_pkey" PRIMARY KEY("device_code","device_number")
);
--> statement-breakpoint
CREATE INDEX "devices_changed_sequence_idx" ON "devices" ("changed_sequence");--> statement-breakpoint
CREATE INDEX "devices_last_seen_idx" ON "devices" ("last_seen_at");