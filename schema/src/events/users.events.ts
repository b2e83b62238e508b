import { z } from 'zod';

/** A profile changed (today: its name). Keyed by `userId`; carries the new values. */
export const USER_UPDATED_V1 = 'users.user.updated.v1';

export const userUpdatedV1 = z.object({
  userId: z.guid(),
  name: z.string(),
  /** ISO-8601 instant of the change; orders one user's updates. */
  updatedAt: z.iso.datetime({ offset: true }),
});
export type UserUpdatedV1 = z.infer<typeof userUpdatedV1>;
