import { graphql } from '../../gql/gql.ts';

export const ReadingStatsDocument = graphql(`
  query ReadingStats($filter: ReadingFilter, $bucket: StatBucketSize!) {
    readingStats(filter: $filter, bucket: $bucket) { start count min max avg }
  }
`);
