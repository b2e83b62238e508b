export {
  buildRouter,
  DEFAULT_ROUTER_LIMITS,
  type Router,
  type RouterLimits,
  type RouterOptions,
} from './app.js';
export { DEFAULT_OPERATION_LIMITS, type OperationLimits } from './plugins/operation-limits.plugin.js';
export { routerEnv, routerOptionsFrom, DEFAULT_SUPERGRAPH_PATH } from './config.js';
export type { RouterContext, ForwardedHeaders } from './request-context.js';
