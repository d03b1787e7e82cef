CREATE TABLE "reading_rollups" (
	"device_code" text,
	"device_number" integer,
	"sensor_type" text,
	"minute" timestamp with time zone,
	"count" integer NOT NULL,
	"sum" numeric NOT NULL,
	"min" double precision NOT NULL,
	"max" double precision NOT NULL,
	CONSTRAINT "reading_rollups_pkey" PRIMARY KEY("device_code","device_number","sensor_type","minute")
);
--> statement-breakpoint
CREATE INDEX "reading_rollups_type_minute_idx" ON "reading_rollups" ("sensor_type","minute");--> statement-breakpoint
CREATE INDEX "reading_rollups_minute_idx" ON "reading_rollups" ("minute");