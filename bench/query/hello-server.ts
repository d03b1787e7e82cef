/**
 * The baseline: a bare graphql-yoga server (no plugins, no auth, no database) answering
 * `{ hello }` over node:http, as our API serves yoga. What this machine and this load
 * generator can do at best with the same GraphQL server library.
 * `PORT=… node --import tsx bench/query/hello-server.ts`
 */
import { createServer } from 'node:http';
import { createSchema, createYoga } from 'graphql-yoga';

const yoga = createYoga({
  schema: createSchema({ typeDefs: 'type Query { hello: String }', resolvers: { Query: { hello: () => 'world' } } }),
  logging: false,
  graphiql: false,
  landingPage: false,
});
const server = createServer(yoga);
server.listen(Number(process.env.PORT ?? 0), '127.0.0.1', () => {
  const address = server.address();
  process.stdout.write(`listening on ${typeof address === 'object' && address ? address.port : '?'}\n`);
});
const stop = () => server.close(() => process.exit(0));
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
