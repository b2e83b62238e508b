import type { RequestContext } from '@shop/platform';

/**
 * What cart's resolvers receive: the base request context alone. Carts live in Redis (the service
 * holds the client), so no EntityManager fork is made per request.
 */
export type Context = RequestContext;
