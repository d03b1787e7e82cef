import { graphql } from '../../gql/gql.ts';

export const AuditEventFieldsFragment = graphql(`
  fragment AuditEventFields on AuditEvent {
    sequence
    time
    subject
    type
    actor
    eventId
    occurredAt
    data
    problem
  }
`);

/** Events from the stream (admins), oldest first; `data` is JSON text. Page with `after: pageInfo.endCursor`. */
export const AuditEventsDocument = graphql(`
  query AuditEvents($filter: AuditEventFilter, $first: Int, $after: String) {
    auditEvents(filter: $filter, first: $first, after: $after) {
      nodes { ...AuditEventFields }
      pageInfo { hasNextPage endCursor }
    }
  }
`);
