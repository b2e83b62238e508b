import { badUserInput } from '@shop/platform';
import { z } from 'zod';

/** Where a notification sits in a user's newest-first listing: its creation instant and id. */
export interface NotificationPosition {
  createdAt: Date;
  id: string;
}

const shape = z.strictObject({ v: z.literal(1), c: z.iso.datetime(), id: z.guid() });

/** An opaque keyset cursor (base64url JSON) for `position`. */
export const encodeNotificationCursor = (position: NotificationPosition): string =>
  Buffer.from(JSON.stringify({ v: 1, c: position.createdAt.toISOString(), id: position.id })).toString(
    'base64url',
  );

/** The position a cursor names; BAD_USER_INPUT (field `after`) when it is not one of ours. */
export function decodeNotificationCursor(after: string): NotificationPosition {
  try {
    const parsed = shape.parse(JSON.parse(Buffer.from(after, 'base64url').toString('utf8')));
    return { createdAt: new Date(parsed.c), id: parsed.id };
  } catch {
    throw badUserInput('after is not a valid cursor', 'after');
  }
}
