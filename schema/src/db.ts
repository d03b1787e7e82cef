/**
 * The read models' database schema: the contract between the projector (writer)
 * and the API (reader). drizzle-kit generates the migrations in drizzle/ from it.
 */
import { sql } from 'drizzle-orm';
import { bigint, boolean, doublePrecision, index, integer, jsonb, numeric, pgTable, pgView, primaryKey, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';

const tz = (name: string) => timestamp(name, { withTimezone: true, mode: 'string' });

/** Every reading ever recorded, soft-deleted ones included. `id` is the stream sequence of its ReadingRecorded event. */
export const readings = pgTable(
  'readings',
  {
    id: bigint('id', { mode: 'number' }).primaryKey(),
    sensorType: text('sensor_type').notNull(),
    value: doublePrecision('value').notNull(),
    deviceCode: text('device_code').notNull(),
    deviceNumber: integer('device_number').notNull(),
    timestamp: tz('timestamp').notNull(),
    seq: integer('seq'),
    recordedAt: tz('recorded_at').notNull(),
    updatedAt: tz('updated_at'),
    updatedBy: text('updated_by'),
    deletedAt: tz('deleted_at'),
    deletedBy: text('deleted_by'),
    restoredAt: tz('restored_at'),
    restoredBy: text('restored_by'),
    version: integer('version').notNull().default(0),
  },
  // Keyset pagination orders by (timestamp, id); each filter combination has an index
  // whose leading columns are its equality filters. Partial: active and deleted rows apart.
  (t) => [
    index('readings_active_device_time_idx').on(t.deviceCode, t.deviceNumber, t.timestamp, t.id).where(sql`deleted_at IS NULL`),
    index('readings_active_number_time_idx').on(t.deviceNumber, t.timestamp, t.id).where(sql`deleted_at IS NULL`),
    index('readings_active_type_time_idx').on(t.sensorType, t.timestamp, t.id).where(sql`deleted_at IS NULL`),
    index('readings_active_time_idx').on(t.timestamp, t.id).where(sql`deleted_at IS NULL`),
    index('readings_deleted_device_time_idx').on(t.deviceCode, t.deviceNumber, t.timestamp, t.id).where(sql`deleted_at IS NOT NULL`),
    index('readings_deleted_time_idx').on(t.timestamp, t.id).where(sql`deleted_at IS NOT NULL`),
  ],
);

export const activeReadings = pgView('active_readings').as((qb) => qb.select().from(readings).where(sql`deleted_at IS NULL`));
export const deletedReadings = pgView('deleted_readings').as((qb) => qb.select().from(readings).where(sql`deleted_at IS NOT NULL`));

/** How far each projector has applied the stream; advanced in the same transaction as the rows. */
export const projectorCheckpoints = pgTable('projector_checkpoints', {
  name: text('name').primaryKey(),
  lastSequence: bigint('last_sequence', { mode: 'number' }).notNull(),
  lastEventAt: tz('last_event_at'),
});

/** The outcome of each change command (edit/delete/restore), for read-your-writes. */
export const changeResults = pgTable('change_results', {
  commandId: text('command_id').primaryKey(),
  sequence: bigint('sequence', { mode: 'number' }).notNull(),
  eventType: text('event_type').notNull(),
  actor: text('actor').notNull(),
  affected: integer('affected').notNull(),
  appliedAt: tz('applied_at').notNull(),
});

/*
 * Accounts and credentials. These are the API's own state, not projections: password
 * hashes and token hashes do not belong in an audit stream that auditors replay.
 */
export const users = pgTable(
  'users',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    username: text('username').notNull(),
    passwordHash: text('password_hash').notNull(),
    role: text('role').notNull(),
    createdAt: tz('created_at').notNull().defaultNow(),
    updatedAt: tz('updated_at').notNull().defaultNow(),
  },
  (t) => [uniqueIndex('users_username_lower_idx').on(sql`lower(${t.username})`)],
);

/** Opaque refresh tokens, stored hashed; a family is one login's chain of rotations. */
export const refreshTokens = pgTable(
  'refresh_tokens',
  {
    tokenHash: text('token_hash').primaryKey(),
    familyId: uuid('family_id').notNull(),
    userId: uuid('user_id').notNull().references(() => users.id, { onDelete: 'cascade' }),
    createdAt: tz('created_at').notNull().defaultNow(),
    expiresAt: tz('expires_at').notNull(),
    usedAt: tz('used_at'),
    revokedAt: tz('revoked_at'),
  },
  (t) => [index('refresh_tokens_family_idx').on(t.familyId)],
);

/** API keys for the CLI and devices: shown once, stored hashed, scoped to a role. */
export const apiKeys = pgTable('api_keys', {
  id: uuid('id').primaryKey().defaultRandom(),
  name: text('name').notNull(),
  secretHash: text('secret_hash').notNull(),
  role: text('role').notNull(),
  userId: uuid('user_id').notNull().references(() => users.id, { onDelete: 'cascade' }),
  createdAt: tz('created_at').notNull().defaultNow(),
  lastUsedAt: tz('last_used_at'),
  revokedAt: tz('revoked_at'),
});

/** Login attempts per account and per client address, counted in a window, for throttling. */
export const loginAttempts = pgTable('login_attempts', {
  key: text('key').primaryKey(),
  attempts: integer('attempts').notNull(),
  windowStartedAt: tz('window_started_at').notNull(),
});

/**
 * Devices, as the readings show them. Status is not stored: it is derived when read from
 * `last_seen_at`, the expected interval and the clock (online while a reading arrived within
 * three intervals), so the table depends on events alone and a rebuild reproduces it.
 */
export const devices = pgTable(
  'devices',
  {
    deviceCode: text('device_code').notNull(),
    deviceNumber: integer('device_number').notNull(),
    /** Event time of its first reading (or announcement); null for a device only provisioned so far. */
    firstSeenAt: tz('first_seen_at'),
    /** Event time of the newest reading; null before the first one. */
    lastSeenAt: tz('last_seen_at'),
    sensorTypes: text('sensor_types').array().notNull(),
    readingCount: bigint('reading_count', { mode: 'number' }).notNull(),
    /** Announced without a target: it measures nothing until one is assigned. */
    awaitingTarget: boolean('awaiting_target').notNull().default(false),
    sleeping: boolean('sleeping').notNull().default(false),
    targetName: text('target_name'),
    targetLatitude: doublePrecision('target_latitude'),
    targetLongitude: doublePrecision('target_longitude'),
    intervalMs: integer('interval_ms').notNull().default(5000),
    /** The minimum log level the device was told (SET_LOG_LEVEL): it publishes no log line below it. */
    logLevel: text('log_level').notNull().default('info'),
    /** Stream sequence of the last event that changed this row: lets readers find what changed since. */
    changedSequence: bigint('changed_sequence', { mode: 'number' }).notNull(),
  },
  // No index beyond the key: a reading updates its device's row, and with only the key indexed
  // (and free space left on each page, see the fillfactor migration) that update is HOT.
  (t) => [primaryKey({ columns: [t.deviceCode, t.deviceNumber] })],
);

/** Per device and sensor type: the `seq` range seen and how many arrived; lost messages = range − arrived, summed when read. */
export const deviceSequences = pgTable(
  'device_sequences',
  {
    deviceCode: text('device_code').notNull(),
    deviceNumber: integer('device_number').notNull(),
    sensorType: text('sensor_type').notNull(),
    minSeq: bigint('min_seq', { mode: 'number' }).notNull(),
    maxSeq: bigint('max_seq', { mode: 'number' }).notNull(),
    seqCount: bigint('seq_count', { mode: 'number' }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.deviceCode, t.deviceNumber, t.sensorType] })],
);

/**
 * Per-minute rollups of active readings per device and type, for fast stats. `sum` is
 * numeric so that adding the same values in any grouping (live batches, a rebuild, a
 * bucket recomputed after an edit) gives the same total to the last digit.
 */
export const readingRollups = pgTable(
  'reading_rollups',
  {
    deviceCode: text('device_code').notNull(),
    deviceNumber: integer('device_number').notNull(),
    sensorType: text('sensor_type').notNull(),
    /** Start of the UTC minute. */
    minute: tz('minute').notNull(),
    count: integer('count').notNull(),
    sum: numeric('sum').notNull(),
    min: doublePrecision('min').notNull(),
    max: doublePrecision('max').notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.deviceCode, t.deviceNumber, t.sensorType, t.minute] }),
    index('reading_rollups_type_minute_idx').on(t.sensorType, t.minute),
    index('reading_rollups_minute_idx').on(t.minute),
  ],
);

/*
 * Alarms (projector/src/alarms): a projection of readings, alarm rules and alarm commands,
 * written by the alarm projector under its own checkpoint, rebuilt by `npm run rebuild`.
 */

/** Alarm rules as defined (AlarmRuleDefined) and not deleted. */
export const alarmRules = pgTable('alarm_rules', {
  id: text('id').primaryKey(),
  name: text('name').notNull(),
  sensorType: text('sensor_type'),
  deviceCode: text('device_code'),
  deviceNumber: integer('device_number'),
  severity: text('severity').notNull(),
  /** The condition as in schema/src/alarms.ts (kind and its parameters). */
  condition: jsonb('condition').notNull(),
  createdBy: text('created_by').notNull(),
  createdAt: tz('created_at').notNull(),
  updatedBy: text('updated_by').notNull(),
  updatedAt: tz('updated_at').notNull(),
  changedSequence: bigint('changed_sequence', { mode: 'number' }).notNull(),
});

/** Every alarm ever raised; `status` ACTIVE, ACKNOWLEDGED (still active) or CLEARED. */
export const alarms = pgTable(
  'alarms',
  {
    id: text('id').primaryKey(),
    ruleId: text('rule_id').notNull(),
    ruleName: text('rule_name').notNull(),
    severity: text('severity').notNull(),
    conditionKind: text('condition_kind').notNull(),
    sensorType: text('sensor_type'),
    deviceCode: text('device_code').notNull(),
    deviceNumber: integer('device_number').notNull(),
    status: text('status').notNull(),
    /** Stream position of the event that raised it, and its rank among the alarms that event raised. */
    raisedSequence: bigint('raised_sequence', { mode: 'number' }).notNull(),
    raisedOrdinal: integer('raised_ordinal').notNull(),
    raisedAt: tz('raised_at').notNull(),
    value: doublePrecision('value'),
    detail: text('detail').notNull(),
    acknowledgedAt: tz('acknowledged_at'),
    acknowledgedBy: text('acknowledged_by'),
    acknowledgeComment: text('acknowledge_comment'),
    clearedAt: tz('cleared_at'),
    /** Null when it cleared by itself. */
    clearedBy: text('cleared_by'),
    clearDetail: text('clear_detail'),
  },
  (t) => [
    index('alarms_status_raised_idx').on(t.status, t.raisedSequence, t.raisedOrdinal),
    index('alarms_device_raised_idx').on(t.deviceCode, t.deviceNumber, t.raisedSequence, t.raisedOrdinal),
    index('alarms_raised_idx').on(t.raisedSequence, t.raisedOrdinal),
  ],
);

/** The lifecycle of every alarm, in stream order: RAISED, ACKNOWLEDGED, CLEARED, each at the position that caused it. */
export const alarmHistory = pgTable(
  'alarm_history',
  {
    sequence: bigint('sequence', { mode: 'number' }).notNull(),
    ordinal: integer('ordinal').notNull(),
    alarmId: text('alarm_id').notNull(),
    kind: text('kind').notNull(),
    at: tz('at').notNull(),
    actor: text('actor'),
    detail: text('detail'),
  },
  (t) => [primaryKey({ columns: [t.sequence, t.ordinal] }), index('alarm_history_alarm_idx').on(t.alarmId)],
);

/** The alarm evaluator's memory (per rule and device, plus its clock), saved with each batch. */
export const alarmEvaluatorState = pgTable('alarm_evaluator_state', {
  key: text('key').primaryKey(),
  state: jsonb('state').notNull(),
});

/** The outcome of each alarm command (rule change, acknowledgement, manual clear), for read-your-writes. */
export const alarmCommandResults = pgTable('alarm_command_results', {
  commandId: text('command_id').primaryKey(),
  sequence: bigint('sequence', { mode: 'number' }).notNull(),
  eventType: text('event_type').notNull(),
  actor: text('actor').notNull(),
  affected: integer('affected').notNull(),
  appliedAt: tz('applied_at').notNull(),
});
