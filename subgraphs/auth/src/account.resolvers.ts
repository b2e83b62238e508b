import { entityLoader, forbidden, requireViewer } from '@shop/platform';
import type { Resolvers } from './__generated__/resolvers-types.js';
import type { Account } from './account.entity.js';
import type { AccountService } from './account.service.js';
import type { Context } from './context.js';

/**
 * `register`, `login` and the `User` entity. A `User` reached through `_entities` is shown only
 * to that user or an admin (DESIGN.md, "Auth": ownership is checked on `_entities` too): the
 * router forwards the caller's token, so `me { email roles }` works and another customer's email
 * never leaves this subgraph. The mutations return the signed-in user, so they need no check.
 */
export function accountResolvers(accounts: AccountService): Resolvers {
  const accountById = entityLoader<Context, string, Account>(
    (ctx, ids) => accounts.findByIds(ctx.em, ids),
    (account) => account.id,
  );
  return {
    Mutation: {
      register: (_parent, { input }, ctx) => accounts.register(ctx.em, input),
      login: (_parent, { email, password }, ctx) => accounts.login(ctx.em, email, password, ctx.clientIp),
    },
    User: {
      __resolveReference: async ({ id }, ctx) => {
        const viewer = requireViewer(ctx.viewer);
        if (viewer.id !== id && !viewer.roles.includes('ADMIN')) throw forbidden();
        return accountById(ctx).load(id);
      },
    },
  };
}
