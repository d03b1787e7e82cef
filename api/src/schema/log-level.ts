/** The LogLevel enum, shared by the devices and device-logs modules of the schema. */
import { builder } from '../builder.ts';
import type { LogLevel } from '../../../schema/src/logs.ts';

export const LogLevelEnum = builder.enumType('LogLevel', {
  description: 'Severity of a device log line, lowest first: DEBUG, INFO, WARNING, ERROR, CRITICAL.',
  values: {
    DEBUG: { value: 'debug' },
    INFO: { value: 'info' },
    WARNING: { value: 'warning' },
    ERROR: { value: 'error' },
    CRITICAL: { value: 'critical' },
  } as const satisfies Record<string, { value: LogLevel }>,
});
