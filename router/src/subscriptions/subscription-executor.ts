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
  /**
   * Client subscriptions of one document, variables and caller share one run (one upstream subscription,
   * each event resolved once). Default true; false gives each its own.
   */
  share?: boolean;
}

/** What waits in a run's buffer: an upstream event, or how the upstream subscription ended (the last item). */
type Item =
  { kind: 'event'; result: FormattedExecutionResult; current: boolean } | { kind: 'error'; error: unknown };

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
 * One client subscription's place in a run: the results waiting for it (a bounded buffer), and what to
 * do when it overflows.
 */
interface Member {
  readonly buffer: BoundedBuffer<Delivery>;
  /** The client cannot keep up (or the run cannot): the transport disconnects it. */
  readonly overflow: () => void;
}

/** What waits for a client: a result, or how its stream ends (the last item). */
type Delivery =
  { kind: 'result'; result: ExecutionResult } | { kind: 'finish'; result: ExecutionResult | undefined };

/** One upstream subscription and the resolution of its events, for every member. */
interface Run {
  readonly key: string;
  /** The subgraph of its upstream subscription (once planned). */
  subgraph: string;
  readonly members: Set<Member>;
  /** The last result made from a whole current state: a member joining later gets it at once. */
  last: ExecutionResult | undefined;
  /** Ends the run (its last member left): the upstream subscription ends. */
  stop: () => void;
}

/**
 * One client subscription's results, read from its member's buffer. A class (methods on the prototype,
 * `next` not an async function) because ten thousand idle subscribers each hold one, waiting in `next()`.
 */
class ClientStream implements SubscriptionStream {
  private left = false;

  constructor(
    private readonly buffer: BoundedBuffer<Delivery>,
    /** Called once, when the stream ends (the client left, the run finished, or it overflowed). */
    private readonly onLeave: () => void,
  ) {}

  next(): Promise<IteratorResult<ExecutionResult>> {
    return this.buffer.next().then(
      (next) => {
        if (next.done) return this.leave();
        const { result } = next.value;
        // A `finish` with a result is the buffer's last item: the call after it leaves.
        return result ? { done: false, value: result } : this.leave();
      },
      // It overflowed (SLOW_SUBSCRIBER): onOverflow disconnects the client, nothing more to send.
      () => this.leave(),
    );
  }

  return(): Promise<IteratorResult<ExecutionResult>> {
    void this.buffer.return();
    return Promise.resolve(this.leave());
  }

  throw(): Promise<IteratorResult<ExecutionResult>> {
    return this.return();
  }

  finish(result?: ExecutionResult): void {
    this.buffer.end({ kind: 'finish', result });
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  private leave(): IteratorResult<ExecutionResult> {
    if (!this.left) {
      this.left = true;
      this.onLeave();
    }
    return { done: true, value: undefined };
  }
}

/**
 * What makes two client subscriptions one run: the same document, operation, variables and caller
 * (`Authorization`), so every result is the same for each of them.
 */
export function runKey(request: SubscriptionRequest): string {
  return JSON.stringify([
    request.operationName ?? null,
    request.query,
    request.variables,
    request.context.forwardedHeaders.authorization ?? null,
  ]);
}

/**
 * Runs federated subscriptions, as Apollo Router does: the plan's `primary` fetch is opened as a
 * subscription on the owning subgraph (over the shared upstream connection), and every event it sends
 * is fed into the plan's `rest`, executed by the gateway's own `executeQueryPlan` exactly as a query's
 * plan would be (a `Sequence` of the primary fetch, answered with the event, and `rest`), so fields of
 * other subgraphs resolve and the result is shaped like a query's.
 *
 * - Client subscriptions with the same document, operation, variables and caller ({@link runKey}) share
 *   one run (`share`, on by default): one upstream subscription, and each event resolved once, its result
 *   sent to every one of them (N tabs following one order cost one plan per event, not N). The run
 *   resolves with the context of the subscription that opened it (its request id, trace and address go to
 *   the subgraphs). A subscription joining later gets the run's last result at once when it was made from
 *   a whole current state (`extensions.currentState` upstream, e.g. `orderStatusChanged`), and only what
 *   comes after it joined of a feed (e.g. `notificationAdded`). When the last one leaves, the run ends.
 * - Results wait in a bounded buffer per client subscription (the kit's `createBoundedBuffer`) while the
 *   client is slow; when it overflows, the results it held are discarded and counted
 *   (`outcome="dropped"`), `onOverflow` is called (the transport disconnects the client) and that
 *   subscription ends: memory per subscriber is bounded. Upstream events wait in a bounded buffer of the
 *   run while one is resolved; if that overflows (the router cannot resolve them as fast as they come),
 *   every member is disconnected the same way.
 * - An event identical to the previous one is not sent again (after an upstream reconnect the subgraph
 *   answers with the current state, which the client may already have).
 * - After a supergraph reload, the next event is planned on the new supergraph (the document is
 *   validated against it first; if it no longer validates, the subscription ends with the errors). The
 *   upstream subscription stays open.
 */
export class SubscriptionExecutor {
  private readonly runs = new Map<string, Run>();
  private opened = 0;

  constructor(private readonly options: SubscriptionExecutorOptions) {}

  /** Opens the subscription; the stream yields one result per event and ends when the upstream ends. */
  execute(request: SubscriptionRequest, onOverflow: () => void): SubscriptionStream {
    const { metrics } = this.options;
    const buffer = createBoundedBuffer<Delivery>({
      capacity: this.options.maxBufferedEvents,
      onOverflow: (dropped) => {
        metrics.subscriptionEvents.inc({ outcome: 'dropped' }, dropped);
        onOverflow();
      },
    });
    const member: Member = { buffer, overflow: onOverflow };
    const run = this.join(request, member);
    metrics.subscriptionsActive.inc();
    return new ClientStream(buffer, () => {
      metrics.subscriptionsActive.dec();
      this.leave(run, member);
    });
  }

  /** Adds `member` to the run for `request`'s key, or opens one. */
  private join(request: SubscriptionRequest, member: Member): Run {
    const key = this.options.share === false ? `${++this.opened}` : runKey(request);
    const existing = this.runs.get(key);
    if (existing) {
      existing.members.add(member);
      this.options.metrics.upstreamSubscriptionsShared.inc({ subgraph: existing.subgraph });
      if (existing.last) member.buffer.push({ kind: 'result', result: existing.last });
      return existing;
    }
    const run: Run = {
      key,
      subgraph: '',
      members: new Set([member]),
      last: undefined,
      stop: () => undefined,
    };
    this.runs.set(key, run);
    void this.drive(run, request);
    return run;
  }

  private leave(run: Run, member: Member): void {
    if (!run.members.delete(member) || run.members.size > 0) return;
    this.forget(run);
    run.stop();
  }

  /** No subscription joins `run` any more (it is ending). */
  private forget(run: Run): void {
    if (this.runs.get(run.key) === run) this.runs.delete(run.key);
  }

  /** Ends every member's stream, after `result` when given. */
  private finish(run: Run, result?: ExecutionResult): void {
    this.forget(run);
    for (const member of [...run.members]) member.buffer.end({ kind: 'finish', result });
  }

  /** Gives `result` to every member (counted as delivered for each that took it). */
  private deliver(run: Run, result: ExecutionResult): void {
    let delivered = 0;
    for (const member of [...run.members]) {
      if (member.buffer.push({ kind: 'result', result })) delivered++;
    }
    if (delivered) this.options.metrics.subscriptionEvents.inc({ outcome: 'delivered' }, delivered);
  }

  /** The run: subscribes upstream, resolves each event once and delivers it, until the upstream or the run ends. */
  private async drive(run: Run, request: SubscriptionRequest): Promise<void> {
    let unsubscribe: () => void = () => undefined;
    try {
      await this.serve(run, request, (end) => (unsubscribe = end));
    } catch (error) {
      request.context.logger.error({ err: error }, 'subscription failed');
      this.finish(run, {
        errors: [
          new GraphQLError('Internal server error', {
            extensions: { code: ErrorCode.INTERNAL_SERVER_ERROR },
          }),
        ],
      });
    } finally {
      this.forget(run);
      unsubscribe();
    }
  }

  /**
   * Subscribes upstream (`opened` receives the function that ends it), resolves each event once and
   * delivers it, until the upstream or the run ends.
   */
  private async serve(
    run: Run,
    request: SubscriptionRequest,
    opened: (unsubscribe: () => void) => void,
  ): Promise<void> {
    const { current, upstream, metrics } = this.options;
    let served = current();
    const cacheKey = `${request.operationName ?? ''}\n${request.query}`;
    let plan = served.planSubscription(request.document, request.operationName, cacheKey);
    const subgraph = plan.primary.serviceName;
    run.subgraph = subgraph;
    const url = served.urlOf(subgraph);
    if (!url) {
      this.finish(run, { errors: [upstreamFailure(subgraph)] });
      return;
    }

    const events = createBoundedBuffer<Item>({
      capacity: this.options.maxBufferedEvents,
      onOverflow: (dropped) => {
        metrics.subscriptionEvents.inc({ outcome: 'dropped' }, dropped * run.members.size);
        this.forget(run);
        for (const member of [...run.members]) member.overflow();
      },
    });
    run.stop = () => void events.return();
    opened(
      upstream.subscribe(
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
          // False once the buffer overflowed or the run ended: nothing to do.
          next: (result, state) => void events.push({ kind: 'event', result, current: state }),
          error: (error) => events.end({ kind: 'error', error }),
          complete: () => events.end(),
        },
      ),
    );

    let previous: string | undefined;
    for (;;) {
      let next: IteratorResult<Item>;
      try {
        next = await events.next();
      } catch {
        // It overflowed: onOverflow disconnected every member.
        return;
      }
      if (next.done) return this.finish(run);
      const item = next.value;
      if (item.kind === 'error') {
        request.context.logger.warn(
          { err: item.error, subgraph },
          'upstream subscription ended with an error',
        );
        this.finish(run, {
          errors: isFormattedErrorList(item.error)
            ? fromSubgraph(item.error, subgraph)
            : [upstreamFailure(subgraph)],
        });
        return;
      }
      // The subgraph sends the event's trace context in `extensions`: it is ours, never the client's.
      const { carrier, result: event } = withoutTraceContext(item.result);
      const fingerprint = JSON.stringify(event);
      if (fingerprint === previous) continue;
      previous = fingerprint;
      if (!event.data) {
        this.deliver(run, { errors: fromSubgraph(event.errors ?? [], subgraph) });
        continue;
      }

      const now = current();
      if (now.generation !== served.generation) {
        const errors = validate(now.apiSchema, request.document);
        if (errors.length > 0) return this.finish(run, { errors });
        served = now;
        plan = served.planSubscription(request.document, request.operationName, cacheKey);
      }
      const stop = metrics.subscriptionEventDuration.startTimer();
      const result = await this.inEventSpan(carrier, request, () =>
        this.resolveEvent(served, plan, request, event),
      );
      stop();
      run.last = item.current ? result : undefined;
      this.deliver(run, result);
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
