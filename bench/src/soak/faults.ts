/**
 * The soak's fault schedule: each kind of fault a number of times, spread over the run on a track of
 * its own, the kinds' tracks at once, so faults of different kinds pile up; within a kind one at a
 * time (the next starts once the previous one's dependency answers again). Every fault is logged with
 * its time, its target and how long it lasted.
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
 * what it broke answers again (a Kafka node takes the longest: a JVM start and rejoining the cluster).
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

/** One planned fault: its kind and when it is due, in ms from the start of the schedule. */
export interface PlannedFault {
  kind: FaultKind;
  atMs: number;
}

/**
 * The plan: one track per kind, `perKind` faults each, spread evenly over `spanMs`; the tracks are
 * staggered by a sixth of a period, so faults of different kinds overlap (a subgraph restarting while
 * Postgres restarts) without all starting at once. Sorted by due time.
 */
export function plan(perKind: number, spanMs: number): PlannedFault[] {
  const period = perKind > 0 ? spanMs / perKind : 0;
  const faults = FAULT_KINDS.flatMap((kind, track) =>
    Array.from({ length: perKind }, (_, i) => ({
      kind,
      atMs: Math.round((i + (track + 0.5) / FAULT_KINDS.length) * period),
    })),
  );
  return faults.sort((a, b) => a.atMs - b.atMs);
}

/**
 * Runs the plan, every kind's track at once: a fault starts when it is due, or once the previous fault
 * of its kind has recovered when that is later (so at most one Kafka node is down at a time, and a
 * restart never overlaps a restart of the same kind). Each fault is logged once recovered, with its
 * start time and duration. Resolves once every fault has recovered; a dependency that does not come
 * back rejects it.
 */
export async function runFaults(planned: PlannedFault[], context: FaultContext): Promise<void> {
  const startedAt = Date.now();
  const track = async (kind: FaultKind) => {
    for (const { atMs } of planned.filter((fault) => fault.kind === kind)) {
      await sleep(Math.max(0, startedAt + atMs - Date.now()));
      const t = context.log.now();
      const began = Date.now();
      const { target, recovered } = await inject(kind, context);
      await recovered;
      context.log.fault({ t, kind, target, ms: Date.now() - began });
    }
  };
  const kinds = [...new Set(planned.map((fault) => fault.kind))];
  const tracks = kinds.map(track);
  // Every track runs to its end (or its failure) before the schedule settles: a failure is reported
  // only once nothing of the schedule is still restarting.
  const results = await Promise.allSettled(tracks);
  const failed = results.find((result) => result.status === 'rejected');
  if (failed) throw failed.reason;
}
