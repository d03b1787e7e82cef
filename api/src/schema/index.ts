/** The GraphQL schema: each module adds its types and fields to the one builder. */
import { lexicographicSortSchema } from 'graphql';
import { builder } from '../builder.ts';
import './scalars.ts';
import './users.ts';
import './readings.ts';
import './system.ts';
import './live.ts';
import './devices.ts';
import './logs.ts';
import './simulators.ts';
import './ingest.ts';
import './alarms.ts';
import './audit.ts';

export const schema = lexicographicSortSchema(builder.toSchema());
