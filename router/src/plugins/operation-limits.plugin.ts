import type { ApolloServerPlugin, BaseContext } from '@apollo/server';
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
 * Refuses an operation over a limit once it is parsed, validated and selected (`didResolveOperation`),
 * which is before the gateway plans it, so no subgraph is ever called for it. The error is
 * OPERATION_LIMIT_EXCEEDED with `extensions.limit` (`depth`, `aliases`, `cost`), `max` and `actual`, HTTP 400.
 * Depth is checked first, then aliases, then cost.
 */
export function operationLimitsPlugin<C extends BaseContext>(
  limits: Partial<OperationLimits> = {},
): ApolloServerPlugin<C> {
  const { maxDepth, maxAliases, maxCost, defaultListSize } = { ...DEFAULT_OPERATION_LIMITS, ...limits };
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ schema, document, operation, request }) {
          if (!operation) return; // Apollo has already refused a document without the named operation
          const measures = measureOperation(schema, document, operation, request.variables ?? {}, {
            defaultListSize,
          });
          if (measures.depth > maxDepth) throw operationLimitExceeded('depth', measures.depth, maxDepth);
          if (measures.aliases > maxAliases)
            throw operationLimitExceeded('aliases', measures.aliases, maxAliases);
          if (measures.cost > maxCost) throw operationLimitExceeded('cost', measures.cost, maxCost);
        },
      };
    },
  };
}
