/** The typed SDK: client, session with token refresh, and typed operation documents. */
export { createClient, SdkError, type ClientOptions, type SensorClient } from './src/client.ts';
export { Session, type SessionOptions, type Tokens } from './src/session.ts';
export * from './src/operations/auth.ts';
export * from './src/operations/readings.ts';
export * from './src/operations/ingest.ts';
export type { ReadingInput } from './gql/graphql.ts';
export type { ApiKeyRole, ReadingChanges, ReadingFieldsFragment as ReadingFields, ReadingFilter, ReadingOrder, Role } from './gql/graphql.ts';
export * from './src/operations/live.ts';
export * from './src/operations/simulators.ts';
export type { SimulatorFieldsFragment as SimulatorFields } from './gql/graphql.ts';
export { followReadings, followSubscription, liveClient, type LiveOptions, type LiveReading, type ReadingFeed, type ReadingFeedHandlers, type Subscription, type SubscriptionHandlers } from './src/live.ts';
export * from './src/operations/stats.ts';
export type { StatBucketSize } from './gql/graphql.ts';
export * from './src/operations/alarms.ts';
export type { AlarmFieldsFragment as AlarmFields, AlarmRuleFieldsFragment as AlarmRuleFields, AlarmFilter, AlarmRuleInput, AlarmConditionInput, AlarmSeverity, AlarmStatus, AlarmConditionKind } from './gql/graphql.ts';
export * from './src/operations/audit.ts';
export type { AuditEventFieldsFragment as AuditEventFields, AuditEventFilter } from './gql/graphql.ts';
