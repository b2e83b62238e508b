import type { EntityManager, RequestContext } from '@shop/platform';

/** A products request: the base context plus its own EntityManager fork (one per request). */
export interface Context extends RequestContext {
  em: EntityManager;
}
