import {
  executeQueryPlan,
  type GraphQLDataSource,
  type GraphQLDataSourceProcessOptions,
  type ServiceMap,
} from '@apollo/gateway';
import type { PlanNode, QueryPlan } from '@apollo/query-planner';
import type { GraphQLRequestContext } from '@apollo/server';
import {
  ATTR_GRAPHQL_OPERATION_NAME,
  ATTR_GRAPHQL_OPERATION_TYPE,
  createBoundedBuffer,
  ErrorCode,
  extractTraceContext,
  takeTraceCarrier,
  tracingEnabled,
  withSpan,
  type BoundedBuffer,
  type TraceCarrier,
} from '@shop/platform/edge';
import {
  getOperationAST,
  GraphQLError,
  validate,
  type DocumentNode,
  type ExecutionResult,
  type FormattedExecutionResult,
  type GraphQLFormattedError,
} from 'graphql';
import type { RouterContext } from '../request-context.js';
import { SUBREQUEST_HTTP_ERROR } from '../router-errors.js';
import type { RouterMetrics } from '../router-metrics.js';
import type { ServedSupergraph, SubscriptionPlan } from './served-supergraph.js';
import type { UpstreamPool } from './upstream-pool.js';

type GatewayResponse = Awaited<ReturnType<GraphQLDataSource['process']>>;

/** A validated client subscription. */
export interface SubscriptionRequest {
  /** The operation text (plan cache key with the operation name). */
  query: string;
  document: DocumentNode;
  operationName: string | undefined;
  variables: Record<string, unknown>;
  context: RouterContext;
}

export interface SubscriptionExecutorOptions {
  /** The supergraph being served now (changes on reload). */
  current: () => ServedSupergraph;
  upstream: UpstreamPool;
  /** The data source the router uses for a subgraph (the same kind queries use). */
  dataSource: (subgraph: string, url: string) => GraphQLDataSource;
  metrics: RouterMetrics;
  /** Events waiting for a slow client before it is cut off. */
  maxBufferedEvents: number;
}

/** What waits in a subscription's buffer: an upstream event, or how the stream ended (the last item). */
type Item =
  | { kind: 'event'; result: FormattedExecutionResult }
  | { kind: 'error'; error: unknown }
  | { kind: 'finish'; result: ExecutionResult | undefined };

/** An upstream result without the trace context the kit's subscription endpoint adds to `extensions`. */
export function withoutTraceContext(result: FormattedExecutionResult): {
  carrier: TraceCarrier | undefined;
  result: FormattedExecutionResult;
} {
  const { carrier, rest } = takeTraceCarrier(result.extensions);
  if (rest === result.extensions) return { carrier, result };
  const { extensions: _extensions, ...others } = result;
  return { carrier, result: rest ? { ...others, extensions: rest } : others };
}

/**
 * One client subscription's results. `return()` (the client unsubscribed, or disconnected) ends it at
 * once, even while it waits for an event; `finish(result)` ends it after sending `result` (e.g. the
 * token expired).
 */
export interface SubscriptionStream extends AsyncIterableIterator<ExecutionResult> {
  finish(result?: ExecutionResult): void;
}

function isFormattedErrorList(value: unknown): value is GraphQLFormattedError[] {
  return (
    Array.isArray(value) && value.every((e) => typeof (e as { message?: unknown })?.message === 'string')
  );
}

/** A subgraph's errors as errors of the client's result, keeping their codes. */
function fromSubgraph(errors: readonly GraphQLFormattedError[], subgraph: string): GraphQLError[] {
  return errors.map(
    (e) =>
      new GraphQLError(e.message, {
        extensions: { code: ErrorCode.INTERNAL_SERVER_ERROR, ...e.extensions, serviceName: subgraph },
      }),
  );
}

/** The failure of an upstream subscription (not an answer of the subgraph): names the subgraph only. */
function upstreamFailure(subgraph: string): GraphQLError {
  return new GraphQLError(`Subgraph "${subgraph}" subscription failed`, {
    extensions: { code: SUBREQUEST_HTTP_ERROR, serviceName: subgraph },
  });
}

function pick(variables: Record<string, unknown>, names: readonly string[] | undefined) {
  const picked: Record<string, unknown> = {};
  for (const name of names ?? []) if (name in variables) picked[name] = variables[name];
  return picked;
}

/**
 * Runs federated subscriptions, as Apollo Router does: the plan's `primary` fetch is opened as a
 * subscription on the owning subgraph (over the shared upstream connection), and every event it sends
 * is fed into the plan's `rest`, executed by the gateway's own `executeQueryPlan` exactly as a query's
 * plan would be (a `Sequence` of the primary fetch, answered with the event, and `rest`), so fields of
 * other subgraphs resolve and the result is shaped like a query's.
 *
 * - Events wait in a bounded buffer (the kit's `createBoundedBuffer`) while the client is slow; when it
 *   overflows, the events it held are discarded and counted (`outcome="dropped"`), `onOverflow` is
 *   called (the transport disconnects the client) and the subscription ends: memory per subscriber is
 *   bounded.
 * - An event identical to the previous one is not sent again (after an upstream reconnect the subgraph
 *   answers with the current state, which the client may already have).
 * - After a supergraph reload, the next event is planned on the new supergraph (the document is
 *   validated against it first; if it no longer validates, the subscription ends with the errors). The
 *   upstream subscription stays open.
 */
export class SubscriptionExecutor {
  constructor(private readonly options: SubscriptionExecutorOptions) {}

  /** Opens the subscription; the stream yields one result per event and ends when the upstream ends. */
  execute(request: SubscriptionRequest, onOverflow: () => void): SubscriptionStream {
    const { metrics } = this.options;
    const buffer = createBoundedBuffer<Item>({
      capacity: this.options.maxBufferedEvents,
      onOverflow: (dropped) => {
        metrics.subscriptionEvents.inc({ outcome: 'dropped' }, dropped);
        onOverflow();
      },
    });
    const run = this.run(request, buffer);
    metrics.subscriptionsActive.inc();
    let active = true;
    const ended = <T>(result: IteratorResult<T>) => {
      if (result.done && active) {
        active = false;
        metrics.subscriptionsActive.dec();
      }
      return result;
    };
    return {
      next: () => run.next().then(ended),
      return: async () => {
        void buffer.return();
        return ended(await run.return(undefined));
      },
      throw: async (error: unknown) => {
        void buffer.return();
        return ended(await run.throw(error));
      },
      finish: (result) => buffer.end({ kind: 'finish', result }),
      [Symbol.asyncIterator]() {
        return this;
      },
    };
  }

  private async *run(
    request: SubscriptionRequest,
    buffer: BoundedBuffer<Item>,
  ): AsyncGenerator<ExecutionResult, undefined> {
    const { current, upstream, metrics } = this.options;
    let served = current();
    const cacheKey = `${request.operationName ?? ''}\n${request.query}`;
    let plan = served.planSubscription(request.document, request.operationName, cacheKey);
    const subgraph = plan.primary.serviceName;
    const url = served.urlOf(subgraph);
    if (!url) {
      yield { errors: [upstreamFailure(subgraph)] };
      return;
    }

    const unsubscribe = upstream.subscribe(
      subgraph,
      url,
      {
        query: plan.primary.operation,
        ...(plan.primary.operationName ? { operationName: plan.primary.operationName } : {}),
        variables: pick(request.variables, plan.primary.variableUsages),
        // The caller's credentials ride on the operation: the upstream connection is shared.
        extensions: {
          ...(request.context.forwardedHeaders.authorization
            ? { authorization: request.context.forwardedHeaders.authorization }
            : {}),
          requestId: request.context.requestId,
          ...(request.context.clientIp ? { clientIp: request.context.clientIp } : {}),
        },
      },
      {
        // False once the buffer overflowed (onOverflow has run) or the client left: nothing to do.
        next: (result) => void buffer.push({ kind: 'event', result }),
        error: (error) => buffer.end({ kind: 'error', error }),
        complete: () => buffer.end(),
      },
    );

    try {
      let previous: string | undefined;
      for (;;) {
        let next: IteratorResult<Item>;
        try {
          next = await buffer.next();
        } catch {
          // It overflowed (SLOW_SUBSCRIBER): onOverflow disconnects the client, nothing more to send.
          return;
        }
        if (next.done) return;
        const item = next.value;
        if (item.kind === 'finish') {
          if (item.result) yield item.result;
          return;
        }
        if (item.kind === 'error') {
          request.context.logger.warn(
            { err: item.error, subgraph },
            'upstream subscription ended with an error',
          );
          yield {
            errors: isFormattedErrorList(item.error)
              ? fromSubgraph(item.error, subgraph)
              : [upstreamFailure(subgraph)],
          };
          return;
        }
        // The subgraph sends the event's trace context in `extensions`: it is ours, never the client's.
        const { carrier, result: event } = withoutTraceContext(item.result);
        const fingerprint = JSON.stringify(event);
        if (fingerprint === previous) continue;
        previous = fingerprint;
        if (!event.data) {
          yield { errors: fromSubgraph(event.errors ?? [], subgraph) };
          continue;
        }

        const now = current();
        if (now.generation !== served.generation) {
          const errors = validate(now.apiSchema, request.document);
          if (errors.length > 0) {
            yield { errors };
            return;
          }
          served = now;
          plan = served.planSubscription(request.document, request.operationName, cacheKey);
        }
        const stop = metrics.subscriptionEventDuration.startTimer();
        const result = await this.inEventSpan(carrier, request, () =>
          this.resolveEvent(served, plan, request, event),
        );
        stop();
        metrics.subscriptionEvents.inc({ outcome: 'delivered' });
        yield result;
      }
    } finally {
      unsubscribe();
    }
  }

  /**
   * Runs an event's processing in a span `subscription event <operation>` continuing the trace the
   * subgraph sent with it (the Kafka message's that announced the change), so the `rest` plan's fetches
   * are part of that trace. Without tracing, or an event without trace context, `work` simply runs.
   */
  private inEventSpan<T>(
    carrier: TraceCarrier | undefined,
    request: SubscriptionRequest,
    work: () => Promise<T>,
  ) {
    if (!carrier || !tracingEnabled()) return work();
    const name = request.operationName ?? getOperationAST(request.document)?.name?.value ?? 'anonymous';
    return withSpan(
      `subscription event ${name}`,
      {
        parent: extractTraceContext(carrier),
        attributes: { [ATTR_GRAPHQL_OPERATION_TYPE]: 'subscription', [ATTR_GRAPHQL_OPERATION_NAME]: name },
      },
      work,
    );
  }

  /** Runs `primary` (answered with the event) then `rest`, with the gateway's executor. */
  private async resolveEvent(
    served: ServedSupergraph,
    plan: SubscriptionPlan,
    request: SubscriptionRequest,
    event: FormattedExecutionResult,
  ): Promise<ExecutionResult> {
    const { operationContext, supergraphSchema, apiSchema } = served.executionInput(
      request.document,
      request.operationName,
    );
    const node: PlanNode = plan.rest ? { kind: 'Sequence', nodes: [plan.primary, plan.rest] } : plan.primary;
    const queryPlan: QueryPlan = { kind: 'QueryPlan', node };
    const serviceMap: ServiceMap = {};
    const serviceName = plan.primary.serviceName;
    for (const name of served.subgraphNames()) {
      serviceMap[name] = this.options.dataSource(name, served.urlOf(name)!);
    }
    const real = serviceMap[serviceName]!;
    let answered = false;
    serviceMap[serviceName] = {
      process: (options: GraphQLDataSourceProcessOptions) => {
        if (!answered && options.request.query === plan.primary.operation) {
          answered = true;
          return Promise.resolve(event as GatewayResponse);
        }
        return real.process(options);
      },
    };
    const requestContext = {
      request: { query: request.query, variables: request.variables, operationName: request.operationName },
      contextValue: request.context,
      context: request.context,
      logger: request.context.logger,
      metrics: {},
    } as unknown as GraphQLRequestContext<RouterContext>;
    return executeQueryPlan(
      queryPlan,
      serviceMap,
      requestContext as never,
      operationContext,
      supergraphSchema,
      apiSchema,
    );
  }
}
