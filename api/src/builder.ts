/** The one Pothos builder: plugins, context, auth scopes (from core/permissions.ts). */
import SchemaBuilder from '@pothos/core';
import DataloaderPlugin from '@pothos/plugin-dataloader';
import RelayPlugin from '@pothos/plugin-relay';
import ScopeAuthPlugin from '@pothos/plugin-scope-auth';
import { GraphQLError } from 'graphql';
import type { Context } from './context.ts';
import { allows, type Permission } from './core/permissions.ts';
import { toGraphQLError } from './graphql-errors.ts';
import { forbidden, unauthenticated } from './core/errors.ts';

export const builder = new SchemaBuilder<{
  Context: Context;
  AuthScopes: { authenticated: boolean; permission: Permission };
  Scalars: { DateTime: { Input: string; Output: string | Date } };
  DefaultFieldNullability: false;
}>({
  plugins: [ScopeAuthPlugin, RelayPlugin, DataloaderPlugin],
  defaultFieldNullability: false,
  scopeAuth: {
    authScopes: (context) => ({
      authenticated: context.caller !== null,
      permission: (permission) => context.caller !== null && allows(context.caller.role, permission),
    }),
    unauthorizedError: (_parent, context) => {
      if (context.caller) return toGraphQLError(forbidden());
      return toGraphQLError(context.authError ?? unauthenticated());
    },
  },
  relay: { clientMutationId: 'omit', cursorType: 'String', nodesOnConnection: true, nodeQueryOptions: false, nodesQueryOptions: false },
});

builder.queryType({ authScopes: { authenticated: true } });
builder.mutationType({ authScopes: { authenticated: true } });

export { GraphQLError };
