import { entityLoader, requireOwnerOrAdmin, requireViewer, unauthenticated } from '@shop/platform';
import type { Resolvers } from './__generated__/resolvers-types.js';
import { signedIn, type Context } from './context.js';
import { DateTimeScalar } from '@shop/platform';
import type { Profile, UserService } from './user.service.js';

/** `User`, `me` and `updateProfile`. */
export function userResolvers(users: UserService): Resolvers {
  // One batch per request tick: N `_entities` representations (and `me`) cost the same queries as one.
  const profiles = entityLoader<Context, string, Profile>(
    (ctx, ids) => users.findProfiles(ctx.em, ids, ctx),
    (profile) => profile.id,
  );
  return {
    DateTime: DateTimeScalar,
    Query: {
      me: async (_parent, _args, ctx) => {
        const viewer = requireViewer(ctx.viewer);
        const profile = await profiles(ctx).load(viewer.id);
        // A valid token naming an account auth does not know (deleted since the token was issued).
        if (!profile) throw unauthenticated('Unknown account');
        return profile;
      },
    },
    Mutation: {
      updateProfile: (_parent, { input }, ctx) => users.updateProfile(ctx.em, signedIn(ctx), input),
    },
    User: {
      __resolveReference: (reference, ctx) => profiles(ctx).load(reference.id),
      addresses: async (user, _args, ctx) => {
        requireOwnerOrAdmin(ctx.viewer, user.id);
        // Every User parent here is a Profile (`me`, the mutations, `_entities`), addresses included.
        return user.addresses;
      },
    },
  };
}
