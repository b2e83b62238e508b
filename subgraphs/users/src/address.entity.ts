import { defineEntity, p, type InferEntity } from '@mikro-orm/core';
import { UserProfile } from './user.entity.js';

/** A postal address of a user. At most one address per user is the default. */
export const Address = defineEntity({
  name: 'Address',
  tableName: 'address',
  properties: {
    id: p.uuid().primary(),
    /** The owner's id (a foreign key to user_profile). */
    user: p.manyToOne(UserProfile).mapToPk().index(),
    line1: p.string().length(200),
    line2: p.string().length(200).nullable(),
    city: p.string().length(100),
    postalCode: p.string().length(20),
    /** ISO 3166-1 alpha-2, upper case. */
    country: p.string().length(2),
    isDefault: p.boolean(),
    /** Addresses are listed oldest first. */
    createdAt: p.datetime(),
  },
  // A race between two writers can never leave a user with two defaults.
  uniques: [
    {
      name: 'address_one_default_per_user',
      expression:
        'create unique index "address_one_default_per_user" on "address" ("user_id") where "is_default"',
    },
  ],
});
export type Address = InferEntity<typeof Address>;
