import type { ApolloServerPlugin } from '@apollo/server';
import { ErrorCode, forbidden, unauthenticated, type RequestContext } from '@shop/platform/edge';
import { GraphQLError, type GraphQLSchema } from 'graphql';
import {
  findAccessViolation,
  type AccessCheckInput,
  type AccessRequirements,
} from '../access-requirements.js';

export interface AccessDirectivesPluginOptions {
  /**
   * The access rules of the supergraph whose API schema is `schema` (the schema a request was validated
   * against, so a request that started before a supergraph reload is judged by the rules it was validated
   * with). Returning undefined refuses the request: the router fails closed.
   */
  requirementsFor: (schema: GraphQLSchema) => AccessRequirements | undefined;
}

function withStatus(error: GraphQLError, status: number): GraphQLError {
  return new GraphQLError(error.message, { extensions: { ...error.extensions, http: { status } } });
}

/**
 * The error for an operation the caller may not run under the supergraph's access rules, or undefined:
 * UNAUTHENTICATED (HTTP 401) for an anonymous caller, FORBIDDEN (HTTP 403) for a signed-in caller whose
 * scopes match none of the required sets. Used by the plugin below and by the WebSocket transport.
 */
export function findAccessError(input: AccessCheckInput): GraphQLError | undefined {
  const violation = findAccessViolation(input);
  if (!violation) return undefined;
  if (violation.code === 'UNAUTHENTICATED') {
    return withStatus(unauthenticated(`Authentication required for ${violation.coordinate}`), 401);
  }
  const sets = (violation.requiredScopes ?? []).map((set) => set.join(' and ')).join(' or ');
  return withStatus(forbidden(`${violation.coordinate} requires the scopes ${sets}`), 403);
}

/**
 * Enforces the supergraph's `@authenticated` and `@requiresScopes` at the router, before planning
 * (`didResolveOperation`): an operation touching a protected field or type is refused whole, with
 * UNAUTHENTICATED (HTTP 401) for an anonymous caller and FORBIDDEN (HTTP 403) for a signed-in caller
 * whose scopes (the token's roles, e.g. `ADMIN`) match none of the required sets. The subgraphs check
 * again (defence in depth).
 */
export function accessDirectivesPlugin<C extends RequestContext>({
  requirementsFor,
}: AccessDirectivesPluginOptions): ApolloServerPlugin<C> {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ schema, document, operation, request, contextValue }) {
          if (!operation) return; // Apollo has already refused a document without the named operation
          const requirements = requirementsFor(schema);
          if (!requirements) {
            throw new GraphQLError('Access rules are not loaded', {
              extensions: { code: ErrorCode.INTERNAL_SERVER_ERROR, http: { status: 503 } },
            });
          }
          const refused = findAccessError({
            schema,
            document,
            operation,
            variables: request.variables ?? {},
            requirements,
            scopes: contextValue.viewer?.roles,
          });
          if (refused) throw refused;
        },
      };
    },
  };
}
