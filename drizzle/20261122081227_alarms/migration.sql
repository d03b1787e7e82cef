CREATE TABLE "alarm_command_results" (
	"command_id" text PRIMARY KEY,
	"sequence" bigint NOT NULL,
	"event_type" text NOT NULL,
	"actor" text NOT NULL,
	"affected" integer NOT NULL,
	"applied_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "alarm_evaluator_state" (
	"key" text PRIMARY KEY,
	"state" jsonb NOT NULL
);
--> statement-breakpoint
CREATE TABLE "alarm_history" (
	"sequence" bigint,
	"ordinal" integer,
	"alarm_id" text NOT NULL,
	"kind" text NOT NULL,
	"at" timestamp with time zone NOT NULL,
	"actor" text,
	"detail" text,
	CONSTRAINT "alarm_history_pkey" PRIMARY KEY("sequence","ordinal")
);
--> statement-breakpoint
CREATE TABLE "alarm_rules" (
	"id" text PRIMARY KEY,
	"name" text NOT NULL,
	"sensor_type" text,
	"device_code" text,
	"device_number" integer,
	"severity" text NOT NULL,
	"condition" jsonb NOT NULL,
	"created_by" text NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	"updated_by" text NOT NULL,
	"updated_at" timestamp with time zone NOT NULL,
	"changed_sequence" bigint NOT NULL
);
--> statement-breakpoint
CREATE TABLE "alarms" (
	"id" text PRIMARY KEY,
	"rule_id" text NOT NULL,
	"rule_name" text NOT NULL,
	"severity" text NOT NULL,
	"condition_kind" text NOT NULL,
	"sensor_type" text,
	"device_code" text NOT NULL,
	"device_number" integer NOT NULL,
	"status" text NOT NULL,
	"raised_sequence" bigint NOT NULL,
	"raised_ordinal" integer NOT NULL,
	"raised_at" timestamp with time zone NOT NULL,
	"value" double precision,
	"detail" text NOT NULL,
	"acknowledged_at" timestamp with time zone,
	"acknowledged_by" text,
	"acknowledge_comment" text,
	"cleared_at" timestamp with time zone,
	"cleared_by" text,
	"clear_detail" text
);
--> statement-breakpoint
CREATE INDEX "alarm_history_alarm_idx" ON "alarm_history" ("alarm_id");--> statement-breakpoint
CREATE INDEX "alarms_status_raised_idx" ON "alarms" ("status","raised_sequence","raised_ordinal");--> statement-breakpoint
CREATE INDEX "alarms_device_raised_idx" ON "alarms" ("device_code","device_number","raised_sequence","raised_ordinal");--> statement-breakpoint
CREATE INDEX "alarms_raised_idx" ON "alarms" ("raised_sequence","raised_ordinal");