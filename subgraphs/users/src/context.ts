import { requireViewer, type EntityManager, type RequestContext } from '@shop/platform';

/** The users subgraph's request context. */
export interface Context extends RequestContext {
  /** This request's own EntityManager fork. */
  em: EntityManager;
}

/** The signed-in caller of a request, as services take it; UNAUTHENTICATED when anonymous. */
export const signedIn = (ctx: Context) => ({
  viewer: requireViewer(ctx.viewer),
  authorization: ctx.authorization,
});
