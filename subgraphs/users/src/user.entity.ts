import { defineEntity, p, type InferEntity } from '@mikro-orm/core';

/**
 * A customer's profile. The row is created from auth's `auth.user.registered.v1` event (or, when a
 * request arrives before that event, from auth's `_entities`); its id is the account's id.
 */
export const UserProfile = defineEntity({
  name: 'UserProfile',
  tableName: 'user_profile',
  properties: {
    id: p.uuid().primary(),
    /** Display name, 1 to 100 characters. */
    name: p.string().length(100),
    /** When the account was registered (auth's `registeredAt`), not when this row was written. */
    createdAt: p.datetime(),
    updatedAt: p.datetime(),
  },
});
export type UserProfile = InferEntity<typeof UserProfile>;
