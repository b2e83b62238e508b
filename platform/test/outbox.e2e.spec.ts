import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import {
  applyOnce,
  createKafka,
  createLogger,
  openDatabase,
  recordEvent,
  startOutboxRelay,
} from '../src/index.js';
import type { Database, EventEnvelope, EventProducer, KafkaClient } from '../src/index.js';
import { dropDatabase, testDatabaseUrl, uniqueDatabaseName } from '../src/testing/index.js';
import { entities, LedgerEntry } from './fixture/src/entities.js';
import { migrations } from './fixture/src/migrations/index.js';

const logger = createLogger('platform-test', { level: 'silent' });
const brokers = (process.env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(',');

describe('outbox relay and idempotent consumer on real Postgres and Kafka', () => {
  const dbName = uniqueDatabaseName('outbox');
  const topic = `test.ledger.credited.${randomUUID().slice(0, 8)}.v1`;
  let orm: Database;
  let kafka: KafkaClient;
  let producer: EventProducer;

  beforeAll(async () => {
    orm = await openDatabase({ url: testDatabaseUrl(), dbName, entities, migrations });
    kafka = createKafka({ clientId: 'platform-test', brokers, logger });
    await kafka.ensureTopics([topic], 1);
    producer = await kafka.producer();
  });

  afterAll(async () => {
    await producer?.disconnect();
    await orm?.close(true);
    await dropDatabase(dbName);
  });

  it('publishes an event committed with its state change, applies it once even when delivered twice', async () => {
    // The state change and its event commit in one transaction.
    const account = `acct-${randomUUID()}`;
    await orm.em.fork().transactional(async (em) => {
      em.create(LedgerEntry, { account, amount: 0 });
      recordEvent(em, topic, account, { account, amount: 25 });
    });

    const received: EventEnvelope<{ account: string; amount: number }>[] = [];
    const apply = (event: EventEnvelope<{ account: string; amount: number }>) =>
      applyOnce(orm, 'ledger-test', event, async (em) => {
        em.create(LedgerEntry, { account: event.payload.account, amount: event.payload.amount });
      });
    const consumer = await kafka.consume({
      groupId: `platform-test-${randomUUID()}`,
      handlers: {
        [topic]: {
          parse: (p) => p as { account: string; amount: number },
          handle: async (event) => {
            received.push(event);
            await apply(event);
          },
        },
      },
    });
    const relay = startOutboxRelay({ orm, producer, logger });
    try {
      await relay.flush();
      const [left] = await orm.em
        .fork()
        .getConnection()
        .execute<{ n: string }[]>('select count(*) as n from outbox_message');
      expect(Number(left?.n)).toBe(0);

      await waitFor(() => received.length >= 1);
      expect(received[0]!.payload).toEqual({ account, amount: 25 });
      expect(received[0]!.type).toBe(topic);
      expect(received[0]!.key).toBe(account);

      // Redelivery (a restarted consumer, a relay crash after publishing) must change nothing.
      await producer.publish([received[0]!]);
      await waitFor(() => received.length >= 2);
      expect(await apply(received[0]!)).toBe(false);

      const rows = await orm.em.fork().find(LedgerEntry, { account }, { orderBy: { id: 'asc' } });
      expect(rows.map((r) => r.amount)).toEqual([0, 25]);
    } finally {
      await relay.stop();
      await consumer.stop();
    }
  });

  it('keeps an event whose publish failed and sends it once Kafka answers again', async () => {
    const failing: EventProducer = {
      publish: async () => {
        throw new Error('broker unavailable');
      },
      disconnect: async () => undefined,
    };
    const account = `acct-${randomUUID()}`;
    await orm.em.fork().transactional(async (em) => {
      recordEvent(em, topic, account, { account, amount: 7 });
    });
    const broken = startOutboxRelay({ orm, producer: failing, logger });
    await expect(broken.flush()).rejects.toThrow('broker unavailable');
    await broken.stop();
    const countFor = async () => {
      const [row] = await orm.em
        .fork()
        .getConnection()
        .execute<{ n: string }[]>('select count(*) as n from outbox_message where key = ?', [account]);
      return Number(row?.n);
    };
    expect(await countFor()).toBe(1);

    const relay = startOutboxRelay({ orm, producer, logger });
    await relay.flush();
    await relay.stop();
    expect(await countFor()).toBe(0);
  });

  it('polls less and less while idle, and still publishes a row no commit nudged it for', async () => {
    // The relay's own connection, counting its polls (the select of the oldest rows).
    let polls = 0;
    const watched = await openDatabase({
      url: testDatabaseUrl(),
      dbName,
      entities,
      migrations,
      onQuery: (sql) => void (/from outbox_message order by seq/.test(sql) && (polls += 1)),
    });
    const relay = startOutboxRelay({ orm: watched, producer, logger, intervalMs: 100, idleMaxMs: 800 });
    try {
      await relay.flush();
      polls = 0;
      // Three idle seconds: at a fixed 100 ms that is about 30 polls; doubling up to 800 ms, about 6.
      await new Promise((r) => setTimeout(r, 3000));
      expect(polls).toBeLessThanOrEqual(10);

      // A commit that did not nudge (another replica's, a crash's leftover) still goes out.
      const account = `acct-${randomUUID()}`;
      await orm.em.fork().transactional(async (em) => {
        recordEvent(em, topic, account, { account, amount: 3 });
      });
      const waiting = async () => {
        const [row] = await orm.em
          .fork()
          .getConnection()
          .execute<{ n: string }[]>('select count(*) as n from outbox_message where key = ?', [account]);
        return Number(row?.n);
      };
      expect(await waiting()).toBe(1);
      const deadline = Date.now() + 15_000;
      while ((await waiting()) > 0) {
        if (Date.now() > deadline) throw new Error('the idle relay never published the row');
        await new Promise((r) => setTimeout(r, 50));
      }
    } finally {
      await relay.stop();
      await watched.close(true);
    }
  });
});

async function waitFor(condition: () => boolean, timeoutMs = 15_000) {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 50));
  }
}
