import { graphql } from '../../gql/gql.ts';

export const RecordReadingsDocument = graphql(`
  mutation RecordReadings($readings: [ReadingInput!]!, $batchId: String) {
    recordReadings(readings: $readings, batchId: $batchId) {
      accepted
      duplicates
      firstSequence
      lastSequence
    }
  }
`);
