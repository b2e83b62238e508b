import { OutboxMessage, ProcessedEvent } from '@shop/platform';

/**
 * Every table of the cart database. Carts and the price projection live in Redis; Postgres holds
 * only the kit's bookkeeping (outbox and processed-event tables), which the runtime opens for every
 * subgraph. Cart publishes nothing and deduplicates its consumed events in Redis, so both stay empty
 * today; they are here so the runtime's relay and any future `applyOnce` find their tables.
 */
export const entities = [OutboxMessage, ProcessedEvent];
