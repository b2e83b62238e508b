import { defineEntity, p, type InferEntity } from '@mikro-orm/core';

/** The roles of the contract, in the order they are stored. */
export const ROLES = ['CUSTOMER', 'ADMIN'] as const;
export type Role = (typeof ROLES)[number];

/**
 * A sign-in identity: the lowercased email (unique), the password hash (PHC string, see
 * password.ts), the roles, and the auth subgraph's copy of the display name and creation time it
 * shares with the users subgraph (`User.name`, `User.createdAt`).
 */
export const Account = defineEntity({
  name: 'Account',
  tableName: 'account',
  properties: {
    id: p.uuid().primary(),
    /** Normalized (trimmed, lowercased) so the unique index makes email case-insensitive. */
    email: p.string().length(254).unique().check('email = lower(btrim(email))'),
    passwordHash: p.text().hidden(),
    roles: p.array<Role>().check(`cardinality(roles) > 0 and roles <@ array['CUSTOMER', 'ADMIN']::text[]`),
    name: p.string().length(100),
    /** `updatedAt` of the last users.user.updated.v1 applied, so an older event never wins. */
    nameUpdatedAt: p.datetime().nullable(),
    createdAt: p.datetime().onCreate(() => new Date()),
    updatedAt: p
      .datetime()
      .onCreate(() => new Date())
      .onUpdate(() => new Date()),
  },
});
export type Account = InferEntity<typeof Account>;
