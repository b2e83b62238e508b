import { applyOnce, type EventConsumer, type SubgraphRuntime } from '@shop/platform';
import { USER_UPDATED_V1, userUpdatedV1, type UserUpdatedV1 } from '@shop/schema';
import type { AccountService } from './account.service.js';
import { validName } from './account.validation.js';

/** The consumer name recorded with each applied event (processed_event.consumer). */
export const CONSUMER = 'auth';

/**
 * Keeps auth's copy of `User.name` current from the users subgraph's `users.user.updated.v1`.
 * Each event is applied at most once (applyOnce), and an older update never overwrites a newer one.
 */
export function startAccountConsumer(
  runtime: SubgraphRuntime,
  accounts: AccountService,
): Promise<EventConsumer> {
  return runtime.kafka.consume({
    groupId: CONSUMER,
    handlers: {
      [USER_UPDATED_V1]: {
        parse: parseUpdate,
        handle: async (event) => {
          await applyOnce(runtime.orm, CONSUMER, event, async (em) => {
            const applied = await accounts.applyProfileUpdate(em, event.payload);
            if (!applied)
              runtime.logger.debug({ eventId: event.id }, 'profile update older than the name held; skipped');
          });
        },
      },
    },
  });
}

/**
 * The contract's validator, plus the name rule auth stores by (1..100 characters after trimming):
 * a name the users subgraph should never send is dead-lettered rather than stored.
 */
function parseUpdate(payload: unknown): UserUpdatedV1 {
  const update = userUpdatedV1.parse(payload);
  return { ...update, name: validName(update.name) };
}
