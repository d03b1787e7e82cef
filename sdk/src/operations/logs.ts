import { graphql } from '../../gql/gql.ts';

export const DeviceLogLineFieldsFragment = graphql(`
  fragment DeviceLogLineFields on DeviceLogLine {
    sequence
    deviceCode
    deviceNumber
    level
    message
    occurredAt
    receivedAt
    source
    fields { name value }
  }
`);

/** One device's log lines: forward with first/after (from `from`), or the newest with last/before. */
export const DeviceLogsDocument = graphql(`
  query DeviceLogs($device: DeviceRefInput!, $minLevel: LogLevel, $from: DateTime, $to: DateTime, $first: Int, $after: String, $last: Int, $before: String) {
    deviceLogs(device: $device, minLevel: $minLevel, from: $from, to: $to, first: $first, after: $after, last: $last, before: $before) {
      nodes { ...DeviceLogLineFields }
      pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
    }
  }
`);

/** Log lines as devices publish them; resume with afterSequence set to the last `sequence` received. */
export const DeviceLoggedDocument = graphql(`
  subscription DeviceLogged($filter: DeviceLogFilter, $afterSequence: String) {
    deviceLogged(filter: $filter, afterSequence: $afterSequence) { ...DeviceLogLineFields }
  }
`);

export const SetDeviceLogLevelDocument = graphql(`
  mutation SetDeviceLogLevel($deviceCode: String!, $deviceNumber: Int!, $level: LogLevel!, $idempotencyKey: String) {
    setDeviceLogLevel(deviceCode: $deviceCode, deviceNumber: $deviceNumber, level: $level, idempotencyKey: $idempotencyKey) {
      applied
      sequence
      commandId
    }
  }
`);
