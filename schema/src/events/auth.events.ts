import { z } from 'zod';

/** An account was created (registration or the admin bootstrap). Keyed by `userId`. */
export const USER_REGISTERED_V1 = 'auth.user.registered.v1';

export const userRegisteredV1 = z.object({
  userId: z.guid(),
  /** Normalised (lowercase) email. */
  email: z.string(),
  /** The name given at registration; `users` owns it from then on. */
  name: z.string(),
  roles: z.array(z.enum(['CUSTOMER', 'ADMIN'])),
  /** ISO-8601 instant the account was created. */
  registeredAt: z.iso.datetime({ offset: true }),
});
export type UserRegisteredV1 = z.infer<typeof userRegisteredV1>;
