import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { envelope, type EventEnvelope } from '@shop/platform';
import { waitFor } from '@shop/platform/testing';
import { Account } from '../src/account.entity.js';
import { CONSUMER } from '../src/account.consumer.js';
import { USER_UPDATED_V1, type UserUpdatedV1 } from '@shop/schema';
import { LOGIN, registerCustomer, startAuth, type TestAuth } from './auth.harness.js';

describe('users.user.updated.v1 consumer (auth’s copy of User.name)', () => {
  let auth: TestAuth;
  beforeAll(async () => {
    auth = await startAuth();
  });
  afterAll(async () => {
    await auth?.stop();
  });

  /** Publishes to the real topic, as the users subgraph's relay does. */
  const publish = (...events: EventEnvelope<unknown>[]) => auth.runtime.producer.publish(events);
  const updated = (userId: string, name: string, updatedAt: Date) =>
    envelope<UserUpdatedV1>(USER_UPDATED_V1, userId, { userId, name, updatedAt: updatedAt.toISOString() });
  const nameOf = async (id: string) => (await auth.runtime.orm.em.fork().findOneOrFail(Account, id)).name;
  const timesApplied = async (eventId: string) => {
    const [row] = await auth.runtime.orm.em
      .fork()
      .getConnection()
      .execute<{ n: string }[]>(
        'select count(*) as n from processed_event where consumer = ? and event_id = ?',
        [CONSUMER, eventId],
      );
    return Number(row!.n);
  };

  /** True once the consumer group has committed every message of the topic (so each was handled). */
  async function caughtUp(): Promise<boolean> {
    const topic = `${auth.kafkaNamespace}${USER_UPDATED_V1}`;
    const admin = await auth.runtime.kafka.admin();
    try {
      const ends = await admin.fetchTopicOffsets(topic);
      const [committed] = await admin.fetchOffsets({
        groupId: `${auth.kafkaNamespace}${CONSUMER}`,
        topics: [topic],
      });
      return ends.every((end) => {
        const done = committed?.partitions.find((p) => p.partition === end.partition);
        return Number(end.high) === 0 || Number(done?.offset ?? -1) >= Number(end.high);
      });
    } finally {
      await admin.disconnect();
    }
  }

  it('updates the name once even when the event is delivered twice, and a late redelivery never reverts it', async () => {
    const customer = await registerCustomer(auth, 'Before');
    const t = Date.now();
    const first = updated(customer.id, 'First Name', new Date(t));
    const second = updated(customer.id, 'Second Name', new Date(t + 1000));

    await publish(first, first);
    await waitFor(async () => (await nameOf(customer.id)) === 'First Name' && (await caughtUp()));
    expect(await timesApplied(first.id)).toBe(1);

    await publish(second);
    await waitFor(async () => (await nameOf(customer.id)) === 'Second Name');
    // The first event again, after the second: already applied, so nothing changes.
    await publish(first);
    await waitFor(caughtUp);
    expect(await nameOf(customer.id)).toBe('Second Name');
    expect(await timesApplied(first.id)).toBe(1);

    // Login (auth's own copy) shows the current profile name.
    const login = await auth.request(LOGIN, { email: customer.email, password: customer.password });
    expect(login.data.login.user.name).toBe('Second Name');
  });

  it('ignores a distinct but older update, an unknown user and a malformed payload, and carries on', async () => {
    const customer = await registerCustomer(auth, 'Current');
    const now = Date.now();
    await publish(updated(customer.id, 'Newest', new Date(now)));
    await waitFor(async () => (await nameOf(customer.id)) === 'Newest');

    const stale = updated(customer.id, 'Stale', new Date(now - 60_000));
    const unknown = updated(randomUUID(), 'Nobody', new Date(now));
    // Valid for the contract, but a blank name is not one auth stores: dead-lettered.
    const blank = envelope(USER_UPDATED_V1, customer.id, {
      userId: customer.id,
      name: '   ',
      updatedAt: new Date(now + 500).toISOString(),
    });
    const malformed = envelope(USER_UPDATED_V1, customer.id, { userId: customer.id, name: 'No Date' });
    const after = updated(customer.id, 'After All', new Date(now + 1000));
    await publish(stale, unknown, blank, malformed, after);
    await waitFor(async () => (await nameOf(customer.id)) === 'After All' && (await caughtUp()));
    expect(await timesApplied(stale.id)).toBe(1);
    expect(await timesApplied(blank.id)).toBe(0);
    expect(await timesApplied(malformed.id)).toBe(0);
    expect(await auth.runtime.orm.em.fork().count(Account, { id: unknown.payload.userId })).toBe(0);
  });
});
