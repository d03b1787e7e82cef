/** The one Pothos builder: plugins, context, auth scopes (from core/permissions.ts). */
import SchemaBuilder from '@pothos/core';
import DataloaderPlugin from '@pothos/plugin-dataloader';
import RelayPlugin from '@pothos/plugin-relay';
import ScopeAuthPlugin, { AuthScopeFailureType, type AuthFailure } from '@pothos/plugin-scope-auth';
import { GraphQLError } from 'graphql';
import type { Context } from './context.ts';
import { allows, permissionError, type Permission } from './core/permissions.ts';
import { toGraphQLError } from './graphql-errors.ts';
import { forbidden, unauthenticated } from './core/errors.ts';

/** The permission whose scope failed, if the failure was one. */
function deniedPermission(failure: AuthFailure): Permission | null {
  if (failure.kind === AuthScopeFailureType.AuthScope && failure.scope === 'permission') return failure.parameter as Permission;
  if (failure.kind === AuthScopeFailureType.AnyAuthScopes || failure.kind === AuthScopeFailureType.AllAuthScopes) {
    for (const child of failure.failures) {
      const found = deniedPermission(child);
      if (found) return found;
    }
  }
  return null;
}

export const builder = new SchemaBuilder<{
  Context: Context;
  AuthScopes: { authenticated: boolean; permission: Permission };
  Scalars: { DateTime: { Input: string; Output: string | Date } };
  DefaultFieldNullability: false;
}>({
  plugins: [ScopeAuthPlugin, RelayPlugin, DataloaderPlugin],
  defaultFieldNullability: false,
  scopeAuth: {
    // Refuse a subscription when it is made: without this a caller lacking the permission (a DEVICE
    // key) held a live feed, and was only refused event by event.
    authorizeOnSubscribe: true,
    authScopes: (context) => ({
      authenticated: context.caller !== null,
      permission: (permission) => context.caller !== null && allows(context.caller.role, permission),
    }),
    unauthorizedError: (_parent, context, _info, result) => {
      if (!context.caller) return toGraphQLError(context.authError ?? unauthenticated());
      // The same message the core gives for the permission that failed.
      const failure = deniedPermission(result.failure);
      return toGraphQLError((failure && permissionError(context.caller, failure)) ?? forbidden());
    },
  },
  relay: { clientMutationId: 'omit', cursorType: 'String', nodesOnConnection: true, nodeQueryOptions: false, nodesQueryOptions: false },
});

builder.queryType({ authScopes: { authenticated: true } });
builder.mutationType({ authScopes: { authenticated: true } });

export { GraphQLError };
