/**
 * The soak's fault schedule: each kind of fault a number of times, in a seeded shuffled order,
 * spread over the run and one at a time (the next starts once the previous one's dependency answers
 * again). Every fault is logged with its time, its target and how long it lasted.
 */
import type { RunningStack } from '../../../scripts/stack.js';
import type { TcpProxy } from '../../../platform/src/testing/tcp-proxy.js';
import type { ClientLog } from './client-log.js';
import type { SoakInfra } from './infra.js';
import type { Random } from './load.js';

export const FAULT_KINDS = [
  'subgraph-kill',
  'kafka-broker-kill',
  'postgres-restart',
  'redis-restart',
  'router-restart',
  'proxy-latency-reset',
] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export interface FaultContext {
  stack: RunningStack;
  infra: SoakInfra;
  /** The proxy between the router and `proxied`. */
  proxy: TcpProxy;
  proxied: string;
  log: ClientLog;
  rng: Random;
}

/**
 * Injects one fault of `kind`; resolves its target and the recovery: a promise that resolves once
 * what it broke answers again. Every fault but a Kafka node's recovers before the next one starts; a
 * Kafka node takes the longest to come back (a JVM start and its partitions catching up), so the
 * schedule goes on meanwhile and faults pile up, with at most one Kafka node down at a time.
 */
async function inject(
  kind: FaultKind,
  context: FaultContext,
): Promise<{ target: string; recovered: Promise<void> }> {
  const { stack, infra, proxy, rng } = context;
  const done = (target: string) => ({ target, recovered: Promise.resolve() });
  switch (kind) {
    case 'subgraph-kill': {
      const name = rng.pick(Object.keys(stack.subgraphUrls));
      const process = stack.processes.get(name)!;
      await process.kill('SIGKILL');
      await process.restart();
      return done(name);
    }
    case 'kafka-broker-kill': {
      const node = rng.int(1, infra.kafkaNodes);
      await infra.killKafkaNode(node);
      return { target: `kafka node ${node}`, recovered: infra.restartKafkaNode(node) };
    }
    case 'postgres-restart':
      await infra.down('postgres');
      await infra.up('postgres');
      return done('postgres');
    case 'redis-restart':
      await infra.down('redis');
      await infra.up('redis');
      return done('redis');
    case 'router-restart':
      // restart() is SIGTERM (the graceful shutdown), then the same command line again.
      await stack.processes.get('router')!.restart();
      return done('router');
    case 'proxy-latency-reset': {
      // A slow path to the subgraph for a few seconds, with every open connection reset twice.
      proxy.setLatency(rng.int(100, 400));
      try {
        for (let i = 0; i < 2; i++) {
          await sleep(1_500);
          proxy.resetConnections();
        }
        await sleep(1_000);
      } finally {
        proxy.setLatency(0);
      }
      return done(context.proxied);
    }
  }
}

/** The planned order: every kind `perKind` times, each round shuffled. */
export function plan(perKind: number, rng: Random): FaultKind[] {
  const order: FaultKind[] = [];
  for (let round = 0; round < perKind; round++) {
    const kinds = [...FAULT_KINDS];
    for (let i = kinds.length - 1; i > 0; i--) {
      const j = rng.int(0, i);
      [kinds[i], kinds[j]] = [kinds[j]!, kinds[i]!];
    }
    order.push(...kinds);
  }
  return order;
}

/**
 * Runs the schedule: fault i starts at (i + 0.5) * spanMs / count, or later when the previous one
 * has not recovered yet (a Kafka node: when the previous Kafka fault has not). Each is logged once
 * recovered, with its start time. Resolves once every fault has recovered; a dependency that does not
 * come back rejects it.
 */
export async function runFaults(kinds: FaultKind[], spanMs: number, context: FaultContext): Promise<void> {
  const startedAt = Date.now();
  const interval = kinds.length ? spanMs / kinds.length : 0;
  let kafka: Promise<void> = Promise.resolve();
  const recoveries: Promise<void>[] = [];
  for (const [i, kind] of kinds.entries()) {
    await sleep(Math.max(0, startedAt + (i + 0.5) * interval - Date.now()));
    if (kind === 'kafka-broker-kill') await kafka;
    const t = context.log.now();
    const began = Date.now();
    const { target, recovered } = await inject(kind, context);
    const logged = recovered.then(() => context.log.fault({ t, kind, target, ms: Date.now() - began }));
    if (kind === 'kafka-broker-kill') kafka = logged;
    recoveries.push(logged);
    // A rejected recovery is awaited below; until then it must not count as unhandled.
    logged.catch(() => undefined);
  }
  await Promise.all(recoveries);
}
