import type { EntityManager, RequestContext } from '@shop/platform';

/** An auth request: the base context, its own EntityManager fork and the caller's address. */
export interface Context extends RequestContext {
  /** This request's own EntityManager fork. */
  em: EntityManager;
  /**
   * The client's address as the router reports it (`x-client-ip`, else the first `x-forwarded-for`
   * entry), for login throttling; undefined when neither header is present. Set by client-ip.plugin.ts.
   */
  clientIp: string | undefined;
}
