import { applyOnce, type EventConsumer, type SubgraphRuntime } from '@shop/platform';
import { USER_REGISTERED_V1, userRegisteredV1, type UserRegisteredV1 } from '@shop/schema';
import type { UserService } from './user.service.js';

/** Users' consumer group (also the `applyOnce` consumer name). */
export const CONSUMER = 'users';

/**
 * Creates a profile for every registered account. Idempotent: a redelivered event is dropped by
 * `applyOnce`, and a profile that already exists (made by the `_entities` fallback) is left as it is.
 */
export function startUserConsumer(runtime: SubgraphRuntime, users: UserService): Promise<EventConsumer> {
  return runtime.kafka.consume({
    groupId: CONSUMER,
    handlers: {
      [USER_REGISTERED_V1]: {
        parse: (payload) => userRegisteredV1.parse(payload),
        handle: async (event: { id: string; payload: UserRegisteredV1 }) => {
          await applyOnce(runtime.orm, CONSUMER, event, (em) =>
            users.createFromRegistration(em, event.payload),
          );
        },
      },
    },
  });
}
