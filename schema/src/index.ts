export * from './sensors.ts';
export * from './events.ts';
export * from './subjects.ts';
export * from './config.ts';
export * from './stored.ts';
export * from './logs.ts';
export * from './alarms.ts';
