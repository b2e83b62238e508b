import type { ApolloServerPlugin, BaseContext } from '@apollo/server';
import { ErrorCode, errorCodeOf, retryAfterOf } from '@shop/platform/edge';
import { Kind, type OperationDefinitionNode } from 'graphql';
import type { Counter } from 'prom-client';
import { mutationShed } from '../router-errors.js';

export interface MutationSheddingOptions {
  /** Counts mutations the router refused itself, by root field (`router_mutations_shed_total`). */
  shed?: Counter<'field'>;
  /** Milliseconds since the epoch (a spec's clock). Default `Date.now`. */
  now?: () => number;
}

/** Root fields of `operation` by response key (alias or name) to field name; fragments are not followed. */
function rootFields(operation: OperationDefinitionNode): Map<string, string> {
  const fields = new Map<string, string>();
  for (const selection of operation.selectionSet.selections) {
    if (selection.kind === Kind.FIELD)
      fields.set(selection.alias?.value ?? selection.name.value, selection.name.value);
  }
  return fields;
}

/**
 * Sheds load at the edge: once a subgraph refuses a root mutation field with SERVICE_UNAVAILABLE (it
 * sheds load, e.g. `placeOrder` while orders has too many unsettled orders), the router refuses that
 * field itself until the error's `retryAfterSeconds` (default 1) have passed, with the same code, HTTP 503
 * and `Retry-After`, without a fetch: a refused request then costs the subgraph nothing, and clients that
 * retry as told do not keep a shedding service busy with refusals. Nothing is written for a refused
 * mutation, so its retry with the same idempotency key is safe. Only the field the subgraph refused is
 * shed (other mutations of that subgraph and every query go on), on this router process only, and a
 * refusal by the router itself (not from a subgraph, no `serviceName`) opens no window.
 */
export function mutationSheddingPlugin<C extends BaseContext>({
  shed,
  now = Date.now,
}: MutationSheddingOptions = {}): ApolloServerPlugin<C> {
  /** Root mutation field -> when the router stops refusing it (ms). */
  const refusedUntil = new Map<string, number>();
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ operation }) {
          if (operation?.operation !== 'mutation' || refusedUntil.size === 0) return;
          const at = now();
          let until = 0;
          let refused: string | undefined;
          for (const field of rootFields(operation).values()) {
            const end = refusedUntil.get(field);
            if (end === undefined) continue;
            if (end <= at) refusedUntil.delete(field);
            else if (end > until) [until, refused] = [end, field];
          }
          if (!refused) return;
          shed?.inc({ field: refused });
          throw mutationShed(refused, Math.ceil((until - at) / 1000));
        },
        async willSendResponse({ operation, errors }) {
          if (operation?.operation !== 'mutation' || !errors?.length) return;
          let fields: Map<string, string> | undefined;
          for (const error of errors) {
            if (errorCodeOf(error) !== ErrorCode.SERVICE_UNAVAILABLE) continue;
            if (error.extensions?.serviceName === undefined || error.path?.length !== 1) continue;
            fields ??= rootFields(operation);
            const field = fields.get(String(error.path[0]));
            if (!field) continue;
            const until = now() + 1000 * Math.max(1, retryAfterOf(error));
            if (until > (refusedUntil.get(field) ?? 0)) refusedUntil.set(field, until);
          }
        },
      };
    },
  };
}
