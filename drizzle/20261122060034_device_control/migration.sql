ALTER TABLE "devices" ADD COLUMN "awaiting_target" boolean DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE "devices" ADD COLUMN "sleeping" boolean DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE "devices" ADD COLUMN "target_name" text;--> statement-breakpoint
ALTER TABLE "devices" ADD COLUMN "target_latitude" double precision;--> statement-breakpoint
ALTER TABLE "devices" ADD COLUMN "target_longitude" double precision;--> statement-breakpoint
ALTER TABLE "devices" ALTER COLUMN "first_seen_at" DROP NOT NULL;--> statement-breakpoint
ALTER TABLE "devices" ALTER COLUMN "last_seen_at" DROP NOT NULL;