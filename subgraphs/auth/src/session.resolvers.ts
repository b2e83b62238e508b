import type { Resolvers } from './__generated__/resolvers-types.js';
import type { SessionService } from './session.service.js';

/** `refreshSession` and `logout`: the refresh token is the credential, no access token needed. */
export function sessionResolvers(sessions: SessionService): Resolvers {
  return {
    Mutation: {
      refreshSession: (_parent, { refreshToken }, ctx) => sessions.refresh(ctx.em, refreshToken),
      logout: (_parent, { refreshToken }, ctx) => sessions.logout(ctx.em, refreshToken),
    },
  };
}
