import type { EntityManager, RequestContext } from '@shop/platform';

/** An auth request: the base context (with the client's address for login throttling) and its own EntityManager fork. */
export interface Context extends RequestContext {
  /** This request's own EntityManager fork. */
  em: EntityManager;
}
