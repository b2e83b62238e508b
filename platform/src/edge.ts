/**
 * The kit's parts for the edge (the router): auth, config, errors, logs, metrics, Redis, tracing, the
 * service lifecycle and the plugins an edge server uses, without what only subgraphs need. The whole
 * kit (`@shop/platform`) also loads MikroORM and its Postgres driver, kafkajs, the outbox and
 * @apollo/subgraph: about 100 MiB of memory in every router process that would never use them.
 */
export * from './auth.js';
export * from './config.js';
export * from './current-state.js';
export * from './errors.js';
export * from './http-tracing.js';
export * from './lifecycle.js';
export * from './logger.js';
export * from './metrics.js';
export * from './redis.js';
export * from './semconv.js';
export * from './trace-context.js';
export * from './tracing.js';
export { createBoundedBuffer, type BoundedBuffer } from './live-events.js';
export type { RequestContext } from './server.js';
export { requestLogPlugin } from './plugins/request-log.plugin.js';
export { tracingPlugin } from './plugins/tracing.plugin.js';
export { retryAfterOf, unavailableStatusPlugin } from './plugins/unavailable-status.plugin.js';
