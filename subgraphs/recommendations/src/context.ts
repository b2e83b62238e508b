import type { EntityManager, RequestContext } from '@shop/platform';

/** What recommendations' resolvers receive: the base request context plus one EntityManager fork. */
export interface Context extends RequestContext {
  /** This request's own fork; never shared with another request. */
  em: EntityManager;
}
