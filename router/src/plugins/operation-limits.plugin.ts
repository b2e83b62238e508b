import type { ApolloServerPlugin, BaseContext } from '@apollo/server';
import type { DocumentNode, GraphQLError, GraphQLSchema, OperationDefinitionNode } from 'graphql';
import { measureOperation } from '../operation-measures.js';
import { operationLimitExceeded } from '../router-errors.js';

/** The router's static limits on one operation (CONTRACT.md, "Errors"). */
export interface OperationLimits {
  /** Deepest field nesting allowed (`{ me { id } }` is 2). Default 12. */
  maxDepth: number;
  /** Aliased fields allowed per operation. Default 30. */
  maxAliases: number;
  /** Highest static cost allowed (see `OperationMeasures.cost`). Default 5000. */
  maxCost: number;
  /** The size assumed for a list field without `first`/`last` when computing the cost. Default 10. */
  defaultListSize: number;
}

export const DEFAULT_OPERATION_LIMITS: OperationLimits = {
  maxDepth: 12,
  maxAliases: 30,
  maxCost: 5000,
  defaultListSize: 10,
};

/**
 * The error for an operation over one of the limits, or undefined: OPERATION_LIMIT_EXCEEDED with
 * `extensions.limit` (`depth`, `aliases`, `cost`), `max` and `actual`. Depth is checked first, then aliases,
 * then cost. Used by the plugin below and by the WebSocket transport for subscriptions.
 */
export function findLimitViolation(
  limits: OperationLimits,
  schema: GraphQLSchema,
  document: DocumentNode,
  operation: OperationDefinitionNode,
  variables: Record<string, unknown>,
): GraphQLError | undefined {
  const { maxDepth, maxAliases, maxCost, defaultListSize } = limits;
  const measures = measureOperation(schema, document, operation, variables, { defaultListSize });
  if (measures.depth > maxDepth) return operationLimitExceeded('depth', measures.depth, maxDepth);
  if (measures.aliases > maxAliases) return operationLimitExceeded('aliases', measures.aliases, maxAliases);
  if (measures.cost > maxCost) return operationLimitExceeded('cost', measures.cost, maxCost);
  return undefined;
}

/**
 * Refuses an operation over a limit once it is parsed, validated and selected (`didResolveOperation`),
 * which is before the gateway plans it, so no subgraph is ever called for it (see `findLimitViolation`).
 */
export function operationLimitsPlugin<C extends BaseContext>(
  limits: Partial<OperationLimits> = {},
): ApolloServerPlugin<C> {
  const resolved = { ...DEFAULT_OPERATION_LIMITS, ...limits };
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ schema, document, operation, request }) {
          if (!operation) return; // Apollo has already refused a document without the named operation
          const violation = findLimitViolation(
            resolved,
            schema,
            document,
            operation,
            request.variables ?? {},
          );
          if (violation) throw violation;
        },
      };
    },
  };
}
