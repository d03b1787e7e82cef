import { graphql } from '../../gql/gql.ts';

export const DeviceFieldsFragment = graphql(`
  fragment DeviceFields on Device {
    deviceCode
    deviceNumber
    status
    sensorTypes
    firstSeenAt
    lastSeenAt
    intervalSeconds
    readingCount
    lostMessages
    target { name latitude longitude }
  }
`);

export const DevicesDocument = graphql(`
  query Devices($filter: DeviceFilter, $first: Int, $after: String) {
    devices(filter: $filter, first: $first, after: $after) {
      nodes { ...DeviceFields }
      pageInfo { hasNextPage endCursor }
    }
  }
`);

export const DeviceDocument = graphql(`
  query Device($deviceCode: String!, $deviceNumber: Int!) {
    device(deviceCode: $deviceCode, deviceNumber: $deviceNumber) {
      ...DeviceFields
      latestReadings { id sequence sensorType value timestamp }
    }
  }
`);

export const AssignDeviceTargetDocument = graphql(`
  mutation AssignDeviceTarget($deviceCode: String!, $deviceNumber: Int!, $target: DeviceTargetInput!, $idempotencyKey: String) {
    assignDeviceTarget(deviceCode: $deviceCode, deviceNumber: $deviceNumber, target: $target, idempotencyKey: $idempotencyKey) { applied sequence commandId }
  }
`);

export const SendDeviceCommandDocument = graphql(`
  mutation SendDeviceCommand($deviceCode: String!, $deviceNumber: Int!, $command: DeviceCommand!, $intervalSeconds: Int, $idempotencyKey: String) {
    sendDeviceCommand(deviceCode: $deviceCode, deviceNumber: $deviceNumber, command: $command, intervalSeconds: $intervalSeconds, idempotencyKey: $idempotencyKey) {
      applied
      sequence
      commandId
    }
  }
`);
