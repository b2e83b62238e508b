import type { ApolloServerPlugin, BaseContext } from '@apollo/server';
import { GraphQLError } from 'graphql';
import { ErrorCode } from '../errors.js';

export interface FaultInjectionPluginOptions {
  /**
   * The share (0..1) of queries and mutations answered with an injected server error. Spread evenly
   * and deterministically: at 0.3, exactly 3 of every 10 operations fail, so a test sees the share it
   * asked for within a handful of operations.
   */
  errorRatio: number;
}

/**
 * A testing switch (`FAULT_INJECT_ERROR_RATIO`, see `serviceEnv`): fails `errorRatio` of the queries
 * and mutations once they are parsed and validated, before any resolver runs, with
 * INTERNAL_SERVER_ERROR and HTTP 500. The error takes the path of a real failure, so the metrics
 * plugin counts it in `graphql_operations_failed_total`, callers (the router) see a failing
 * subgraph, and a canary analysis or an SLO alert judges it as it would a bug. Subscriptions are left
 * alone (they are long-lived; the canary and the SLIs count queries and mutations).
 */
export function faultInjectionPlugin<C extends BaseContext>({
  errorRatio,
}: FaultInjectionPluginOptions): ApolloServerPlugin<C> {
  if (!(errorRatio >= 0 && errorRatio <= 1)) throw new RangeError(`errorRatio must be 0..1: ${errorRatio}`);
  // Error diffusion: each operation adds the ratio; a whole unit accumulated fails one operation.
  let owed = 0;
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ operation }) {
          if (operation?.operation === 'subscription') return;
          owed += errorRatio;
          if (owed < 1 - 1e-9) return;
          owed -= 1;
          throw new GraphQLError('Injected fault (FAULT_INJECT_ERROR_RATIO)', {
            extensions: { code: ErrorCode.INTERNAL_SERVER_ERROR, http: { status: 500 } },
          });
        },
      };
    },
  };
}
