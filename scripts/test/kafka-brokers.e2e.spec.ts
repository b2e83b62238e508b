/**
 * `KAFKA_BROKERS_COUNT=3 scripts/infra.sh up kafka`: three KRaft nodes on loopback that replicate like
 * production. Started here in a directory and on ports of their own (the test run's Kafka is left
 * alone): the kit's topics get three replicas and min.insync.replicas 2, the kit's producer (acks from
 * every in-sync replica) keeps publishing when the node leading a partition is SIGKILLed, nothing
 * written is lost or doubled, and `up` brings the killed node back into every partition's ISR.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createKafka, envelope, type KafkaClient } from '../../platform/src/kafka.js';
import { createLogger } from '../../platform/src/logger.js';
import { releasePorts, reservePorts } from '../../platform/src/testing/ports.js';
import { waitFor } from '../../platform/src/testing/wait-for.js';

const INFRA = resolve(import.meta.dirname, '../infra.sh');
const TOPIC = 'replication.check.v1';

/** Each node's broker and controller ports: +0/+1, +10/+11, +20/+21 from the first node's. */
const KAFKA_OFFSETS = [0, 1, 10, 11, 20, 21];

describe('a three-broker Kafka (KAFKA_BROKERS_COUNT=3)', () => {
  let dir: string;
  let base: number | undefined;
  let env: NodeJS.ProcessEnv;
  let brokers: string[];
  let kafka: KafkaClient;
  let admin: Awaited<ReturnType<KafkaClient['admin']>>;

  const infra = (...args: string[]) =>
    new Promise<string>((done, fail) => {
      execFile('bash', [INFRA, ...args], { env, timeout: 180_000 }, (error, stdout, stderr) =>
        error ? fail(new Error(`infra.sh ${args.join(' ')} failed: ${stderr}`)) : done(`${stdout}${stderr}`),
      );
    });
  const nodePid = (node: number) =>
    Number(readFileSync(join(dir, 'kafka', 'brokers-3', `node-${node}`, 'kafka.pid'), 'utf8').trim());
  const partitions = async () => (await admin.fetchTopicMetadata({ topics: [TOPIC] })).topics[0]!.partitions;
  /** Whether each node, asked on its own (a client seeded with it alone), has the topic's three partitions. */
  const knownByEveryNode = async () => {
    for (const broker of brokers) {
      const single = createKafka({
        clientId: 'replication-check-metadata',
        brokers: [broker],
        logger: createLogger('test', { level: 'silent' }),
      });
      const nodeAdmin = await single.admin();
      try {
        const { topics } = await nodeAdmin.fetchTopicMetadata({ topics: [TOPIC] });
        if (topics[0]?.partitions.length !== 3) return false;
      } catch {
        return false;
      } finally {
        await nodeAdmin.disconnect();
      }
    }
    return true;
  };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'kafka-brokers-'));
    base = await reservePorts(KAFKA_OFFSETS);
    env = {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      INFRA_DIR: dir,
      KAFKA_BROKERS_COUNT: '3',
      KAFKA_PORT: String(base),
      KAFKA_CONTROLLER_PORT: String(base + 1),
    };
    const output = await infra('up', 'kafka');
    expect(output).toContain('metadata answered: 3 broker(s)');
    brokers = [base, base + 10, base + 20].map((port) => `127.0.0.1:${port}`);
    expect(await infra('env')).toContain(`export KAFKA_BROKERS=${brokers.join(',')}\n`);
    kafka = createKafka({
      clientId: 'replication-check',
      brokers,
      logger: createLogger('test', { level: 'silent' }),
    });
    admin = await kafka.admin();
  }, 240_000);

  afterAll(async () => {
    await admin?.disconnect();
    if (env) await infra('down', 'kafka').catch(() => undefined);
    if (dir) rmSync(dir, { recursive: true, force: true });
    if (base !== undefined) releasePorts(base, KAFKA_OFFSETS);
  }, 120_000);

  it('creates the kit’s topics with three replicas and min.insync.replicas 2, all in sync', async () => {
    const cluster = await admin.describeCluster();
    expect(cluster.brokers.map((broker) => broker.nodeId).sort()).toEqual([1, 2, 3]);
    await kafka.ensureTopics([TOPIC]);
    // Created means the controller has it; each node learns it from the metadata log at its own pace,
    // and describeConfigs goes to any of them.
    await waitFor(knownByEveryNode, 45_000, 'the topic in every node’s metadata');
    const { resources } = await admin.describeConfigs({
      includeSynonyms: false,
      // 2: ConfigResourceTypes.TOPIC
      resources: [{ type: 2, name: TOPIC, configNames: ['min.insync.replicas'] }],
    });
    expect(resources[0]!.configEntries.map((entry) => [entry.configName, entry.configValue])).toEqual([
      ['min.insync.replicas', '2'],
    ]);
    const parts = await partitions();
    expect(parts).toHaveLength(3);
    for (const partition of parts) {
      expect(partition.replicas.sort()).toEqual([1, 2, 3]);
      expect(partition.isr.sort()).toEqual([1, 2, 3]);
    }
  }, 120_000);

  it('keeps publishing with acks from all in-sync replicas when a partition’s leader is SIGKILLed, loses and doubles nothing, and takes the node back', async () => {
    const producer = await kafka.producer();
    const consumer = kafka.kafka.consumer({ groupId: `replication-check-${randomUUID()}` });
    const sent: string[] = [];
    // A consumer reads at least once: after the group's coordinator moves it may read a message again.
    const received = new Set<string>();
    const publish = async (count: number) => {
      const events = Array.from({ length: count }, (_, i) =>
        envelope(TOPIC, `key-${sent.length + i}`, { n: sent.length + i }),
      );
      await producer.publish(events);
      sent.push(...events.map((event) => event.id));
    };
    try {
      // A subscriber reads throughout, as the services' consumers do.
      await consumer.connect();
      await consumer.subscribe({ topic: TOPIC, fromBeginning: true });
      await consumer.run({
        eachMessage: async ({ message }) => {
          received.add((JSON.parse(message.value!.toString()) as { id: string }).id);
        },
      });
      await publish(10);
      await waitFor(() => received.size >= 10, 60_000, 'the first ten messages');

      const leader = (await partitions()).find((partition) => partition.partitionId === 0)!.leader;
      process.kill(nodePid(leader), 'SIGKILL');
      // Acknowledged by the two nodes left: once the controller has fenced the dead one, it leaves the ISR.
      await publish(10);
      await waitFor(
        async () => (await partitions()).every((partition) => !partition.isr.includes(leader)),
        60_000,
        `node ${leader} to leave every ISR`,
      );
      expect((await partitions()).find((partition) => partition.partitionId === 0)!.leader).not.toBe(leader);
      await publish(10);

      // Every message once, read from the surviving replicas.
      // Every acknowledged message is in the log, read from the surviving replicas...
      await waitFor(() => sent.every((id) => received.has(id)), 60_000, 'every published message');
      expect([...received].sort()).toEqual([...sent].sort());
      // ...and written once: the partitions hold exactly as many messages as were published.
      const ends = await admin.fetchTopicOffsets(TOPIC);
      expect(ends.reduce((sum, partition) => sum + Number(partition.high) - Number(partition.low), 0)).toBe(
        sent.length,
      );
    } finally {
      await consumer.disconnect();
      await producer.disconnect();
    }

    // `up` again restarts the killed node (the others are reused) and it catches up into every ISR.
    const restarted = await infra('up', 'kafka');
    expect(restarted.match(/starting node \d/g)).toHaveLength(1);
    await waitFor(
      async () => (await partitions()).every((partition) => partition.isr.length === 3),
      60_000,
      'all three nodes back in every ISR',
    );
  }, 240_000);
  it('connects new producers while a node is dead but not fenced yet (a service starting during a broker’s restart)', async () => {
    await kafka.ensureTopics([TOPIC]);
    const victim = 1 + Math.floor(Math.random() * 3);
    process.kill(nodePid(victim), 'SIGKILL');
    // Until the controller fences it (broker.session.timeout.ms), metadata still names the dead
    // node, also as the "controller" a producer asks for its id: kafkajs gives up on the first
    // connection refused or reset there, so a service starting then failed its start-up.
    const connecting = Array.from({ length: 8 }, () => kafka.producer());
    const connected = await Promise.allSettled(connecting);
    const producers = connected.flatMap((result) => (result.status === 'fulfilled' ? [result.value] : []));
    try {
      expect(connected.filter((result) => result.status === 'rejected')).toEqual([]);
    } finally {
      // The node comes back in any case, so the specs after this one find three.
      await infra('up', 'kafka');
      await waitFor(
        async () => (await partitions()).every((partition) => partition.isr.length === 3),
        60_000,
        'all three nodes back in every ISR',
      );
    }
    // Each of them publishes (acks from every in-sync replica).
    try {
      const events = producers.map((_, i) => envelope(TOPIC, `starting-${i}`, { i }));
      await Promise.all(producers.map((producer, i) => producer.publish([events[i]!])));
    } finally {
      await Promise.all(producers.map((producer) => producer.disconnect()));
    }
  }, 240_000);
  it('keeps a durable consumer consuming and committing when its group’s coordinator moves to another node that stays up', async () => {
    const topic = `coordinator.move.${randomUUID().slice(0, 8)}.v1`;
    const groupId = `coordinator-move-${randomUUID()}`;
    await kafka.ensureTopics([topic]);
    const producer = await kafka.producer();
    const sent: string[] = [];
    const received = new Set<string>();
    // The handler of the first message published after `hold` waits for `release`.
    let gate: { opened: Promise<void>; open: () => void; reached: boolean } | undefined;
    const publish = async (count: number) => {
      const events = Array.from({ length: count }, (_, i) => envelope(topic, `key-${sent.length + i}`, {}));
      await producer.publish(events);
      sent.push(...events.map((event) => event.id));
    };
    const consumer = await kafka.consume({
      groupId,
      handlers: {
        [topic]: {
          parse: (payload) => payload,
          handle: async (event) => {
            if (gate && !gate.reached) {
              gate.reached = true;
              await gate.opened;
            }
            received.add(event.id);
          },
        },
      },
    });
    // The group's coordinator is the leader of its __consumer_offsets partition (Java's
    // String.hashCode of the group id, modulo the partition count, 10 here).
    let hash = 0;
    for (const char of groupId) hash = (Math.imul(hash, 31) + char.charCodeAt(0)) | 0;
    const offsetsPartition = (hash === -2_147_483_648 ? 0 : Math.abs(hash)) % 10;
    const coordinatorPartition = async () =>
      (await admin.fetchTopicMetadata({ topics: ['__consumer_offsets'] })).topics[0]!.partitions.find(
        (p) => p.partitionId === offsetsPartition,
      )!;
    const before = await coordinatorPartition();
    try {
      await consumer.joined;
      await publish(3);
      await waitFor(() => sent.every((id) => received.has(id)), 30_000, 'the first three messages');

      // A message is being handled while the coordinator moves: the node that led the offsets
      // partition leaves its replicas (a reassignment), so another node takes it over, the old one up.
      let open!: () => void;
      gate = { opened: new Promise<void>((resolve) => (open = resolve)), open, reached: false };
      await publish(1);
      await waitFor(() => gate!.reached, 30_000, 'the handler of the held message');
      const moved = before.replicas.filter((node) => node !== before.leader);
      await admin.alterPartitionReassignments({
        topics: [
          {
            topic: '__consumer_offsets',
            partitionAssignment: [{ partition: offsetsPartition, replicas: moved }],
          },
        ],
      });
      await waitFor(
        async () => {
          const now = await coordinatorPartition();
          return now.leader !== before.leader && !now.replicas.includes(before.leader);
        },
        60_000,
        `the coordinator of ${groupId} to leave node ${before.leader}`,
      );
      gate.open();
      await publish(3);

      // Every message is handled and the group's committed offsets reach the end of the topic.
      await waitFor(() => sent.every((id) => received.has(id)), 30_000, 'every message after the move');
      const ends = await admin.fetchTopicOffsets(topic);
      await waitFor(
        async () => {
          const [committed] = await admin.fetchOffsets({ groupId, topics: [topic] });
          return ends.every(
            (end) =>
              committed!.partitions.find((p) => p.partition === end.partition)!.offset ===
              (end.high === '0' ? '-1' : end.high),
          );
        },
        30_000,
        'the committed offsets at the end of the topic',
      );
      expect(consumer.status.state).toBe('running');
    } finally {
      gate?.open();
      await consumer.stop();
      await producer.disconnect();
      await admin.alterPartitionReassignments({
        topics: [
          {
            topic: '__consumer_offsets',
            partitionAssignment: [{ partition: offsetsPartition, replicas: before.replicas }],
          },
        ],
      });
    }
  }, 240_000);

  it('records a class-data archive at node 1’s clean stop, which every node maps at the next start, all compiling with C1 only', async () => {
    const cmdline = (node: number) => readFileSync(`/proc/${nodePid(node)}/cmdline`, 'utf8').split('\0');
    // Node 1 of a cluster without an archive records one into its own directory; the others do not.
    expect(
      cmdline(1).some((arg) =>
        arg.startsWith('-XX:ArchiveClassesAtExit=' + join(dir, 'kafka', 'brokers-3', 'node-1')),
      ),
    ).toBe(true);
    for (const node of [2, 3]) expect(cmdline(node)).toContain('-Xshare:auto');
    await admin.disconnect();
    await infra('down', 'kafka');
    const archives = readdirSync(join(dir, 'kafka')).filter((name) => name.endsWith('.jsa'));
    expect(archives).toHaveLength(1);
    expect(
      readdirSync(join(dir, 'kafka', 'brokers-3', 'node-1')).filter((name) => name.includes('.jsa')),
    ).toEqual([]);

    await infra('up', 'kafka');
    admin = await kafka.admin();
    for (const node of [1, 2, 3]) {
      expect(cmdline(node)).toContain(`-XX:SharedArchiveFile=${join(dir, 'kafka', archives[0]!)}`);
      expect(cmdline(node)).toContain('-XX:TieredStopAtLevel=1');
    }
    expect((await admin.describeCluster()).brokers).toHaveLength(3);
  }, 240_000);
});
