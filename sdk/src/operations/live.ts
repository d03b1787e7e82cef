import { graphql } from '../../gql/gql.ts';

export const ReadingRecordedDocument = graphql(`
  subscription ReadingRecorded($filter: ReadingFilter, $afterSequence: String) {
    readingRecorded(filter: $filter, afterSequence: $afterSequence) {
      id
      sequence
      sensorType
      value
      deviceCode
      deviceNumber
      timestamp
      seq
      recordedAt
    }
  }
`);

export const ReadingsChangedDocument = graphql(`
  subscription ReadingsChanged($filter: ReadingFilter) {
    readingsChanged(filter: $filter) {
      sequence
      kind
      commandId
      actor
      occurredAt
      affected
      filter { deviceCode deviceNumber sensorType from to }
      changes { sensorType value timestamp }
    }
  }
`);

export const DeviceStatusChangedDocument = graphql(`
  subscription DeviceStatusChanged($deviceCode: String, $deviceNumber: Int, $status: DeviceStatus) {
    deviceStatusChanged(deviceCode: $deviceCode, deviceNumber: $deviceNumber, status: $status) {
      status
      previousStatus
      at
      device { deviceCode deviceNumber status sensorTypes lastSeenAt lostMessages readingCount intervalSeconds target { name latitude longitude } }
    }
  }
`);
