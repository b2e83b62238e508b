import { defineEntity, p, type InferEntity } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { Database } from './database.js';
import type { EventEnvelope } from './kafka.js';

/** An event a consumer has applied: written in the same transaction as the effect. */
export const ProcessedEvent = defineEntity({
  name: 'ProcessedEvent',
  tableName: 'processed_event',
  properties: {
    consumer: p.string().primary(),
    eventId: p.uuid().primary(),
    processedAt: p.datetime().onCreate(() => new Date()),
  },
  primaryKeys: ['consumer', 'eventId'],
});
export type ProcessedEvent = InferEntity<typeof ProcessedEvent>;

/**
 * Applies `effect` for `event` at most once per `consumer`, in one transaction with a fresh
 * EntityManager fork: the processed-event row is inserted first (a concurrent duplicate blocks on
 * it, then finds it), the effect runs, both commit together. Resolves false, changing nothing,
 * when the event was already applied. If the effect throws, nothing is recorded and the event can
 * be retried.
 */
export async function applyOnce(
  orm: Database,
  consumer: string,
  event: Pick<EventEnvelope, 'id'>,
  effect: (em: EntityManager) => Promise<void>,
): Promise<boolean> {
  return orm.em.fork().transactional(async (em) => {
    const inserted = await em.getConnection().execute<{ event_id: string }[]>(
      `insert into processed_event (consumer, event_id, processed_at) values (?, ?, now())
         on conflict do nothing returning event_id`,
      [consumer, event.id],
      'all',
      em.getTransactionContext(),
    );
    if (inserted.length === 0) return false;
    await effect(em);
    return true;
  });
}
