import { graphql } from '../../gql/gql.ts';

export const ReadingFieldsFragment = graphql(`
  fragment ReadingFields on Reading {
    id
    sequence
    sensorType
    value
    deviceCode
    deviceNumber
    timestamp
    seq
    recordedAt
    updatedAt
    updatedBy
    version
    deletedAt
    deletedBy
  }
`);

export const ReadingsDocument = graphql(`
  query Readings($filter: ReadingFilter, $first: Int, $after: String, $page: Int, $limit: Int, $order: ReadingOrder, $withTotal: Boolean = false) {
    readings(filter: $filter, first: $first, after: $after, page: $page, limit: $limit, order: $order) {
      totalCount @include(if: $withTotal)
      nodes { ...ReadingFields }
      pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
    }
  }
`);

export const DeletedReadingsDocument = graphql(`
  query DeletedReadings($filter: ReadingFilter, $first: Int, $after: String, $page: Int, $limit: Int, $order: ReadingOrder) {
    deletedReadings(filter: $filter, first: $first, after: $after, page: $page, limit: $limit, order: $order) {
      totalCount
      nodes { ...ReadingFields }
      pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
    }
  }
`);

export const ReadingDocument = graphql(`
  query Reading($id: ID!) {
    reading(id: $id) { ...ReadingFields }
  }
`);

export const UpdateReadingsDocument = graphql(`
  mutation UpdateReadings($filter: ReadingFilter!, $changes: ReadingChanges!, $idempotencyKey: String) {
    updateReadings(filter: $filter, changes: $changes, idempotencyKey: $idempotencyKey) { affected sequence commandId }
  }
`);

export const DeleteReadingsDocument = graphql(`
  mutation DeleteReadings($filter: ReadingFilter!, $idempotencyKey: String) {
    deleteReadings(filter: $filter, idempotencyKey: $idempotencyKey) { affected sequence commandId }
  }
`);

export const RestoreReadingsDocument = graphql(`
  mutation RestoreReadings($filter: ReadingFilter!, $idempotencyKey: String) {
    restoreReadings(filter: $filter, idempotencyKey: $idempotencyKey) { affected sequence commandId }
  }
`);

export const SystemStatusDocument = graphql(`
  query SystemStatus {
    systemStatus { streamName streamHead projectorPosition projectorLastEventAt lag deadLetters }
  }
`);
