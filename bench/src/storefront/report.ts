/**
 * The storefront benchmark's figures: what one step recorded (latency by operation, requests by
 * kind, errors by operation and code, CPU before and after), its summary, the saturation point and
 * the P3 targets, and the printed tables.
 */
import { ascending, percentile } from '../../support/shop.js';
import { KINDS, OPERATIONS, RATIO, type Kind, type Operation } from './mix.js';

/** P3: saturation at least 3x today's ~85 req/s, p99 at half of it at most 200 ms, no errors. */
export const TODAY_RPS = 85;
export const SATURATION_TARGET_RPS = 250;
export const P99_TARGET_MS = 200;

/** CPU seconds (user + system) at one moment. */
export interface CpuSnapshot {
  /** Each process the stack started (subgraphs, router), by name. */
  services: Record<string, number>;
  /** This process: the virtual users. */
  loadGenerator: number;
  /**
   * Postgres, Redis, Kafka: every process of theirs on the machine (shared with other stacks), by
   * program and pid (a process that started meanwhile counts from 0, one that exited is left out).
   */
  infra: Record<string, Record<string, number>>;
  /** The whole machine (every core), busy and total seconds since boot. */
  machine: { busy: number; total: number };
}

export interface ErrorCount {
  operation: Operation | 'verification';
  code: string;
  count: number;
  /** The first message seen. */
  sample: string;
}

/** What the virtual users saw during one step. */
export class StepRecorder {
  readonly latencies = new Map<Operation, number[]>();
  readonly kinds: Record<Kind, number> = { browse: 0, product: 0, cart: 0, checkout: 0 };
  readonly errors = new Map<string, ErrorCount>();

  record(op: Operation, kind: Kind, ms: number, error?: { code: string; message: string }) {
    let list = this.latencies.get(op);
    if (!list) this.latencies.set(op, (list = []));
    list.push(ms);
    this.kinds[kind] += 1;
    if (error) this.error(op, error.code, error.message);
  }

  error(operation: ErrorCount['operation'], code: string, message: string) {
    const key = `${operation} ${code}`;
    const known = this.errors.get(key);
    if (known) known.count += 1;
    else this.errors.set(key, { operation, code, count: 1, sample: message.slice(0, 300) });
  }

  get requests(): number {
    let n = 0;
    for (const list of this.latencies.values()) n += list.length;
    return n;
  }
}

export interface OperationStats {
  requests: number;
  rps: number;
  p50: number;
  p99: number;
  errors: number;
}

export interface StepResult {
  users: number;
  seconds: number;
  requests: number;
  rps: number;
  p50: number;
  p99: number;
  errors: number;
  byOperation: Partial<Record<Operation, OperationStats>>;
  kinds: Record<Kind, number>;
  errorsByCode: ErrorCount[];
  /** Errors of the warm-up before this step (not in its figures, but in the total). */
  warmupErrors: ErrorCount[];
  cpuSeconds: { services: Record<string, number>; loadGenerator: number; infra: Record<string, number> };
  /** CPU ms per request: the stack's processes, the load generator, Postgres+Redis+Kafka, the machine. */
  cpuMsPerRequest: { stack: number; loadGenerator: number; infra: number; machine: number };
  /** Share of the machine's cores busy during the step (0..1). */
  machineBusy: number;
}

const round = (value: number, digits = 1) => Number(value.toFixed(digits));
const sum = (values: Iterable<number>) => [...values].reduce((a, b) => a + b, 0);
const delta = (after: Record<string, number>, before: Record<string, number>) =>
  Object.fromEntries(Object.keys(after).map((name) => [name, round(after[name]! - (before[name] ?? 0), 2)]));

export function summarizeStep(options: {
  users: number;
  seconds: number;
  recorder: StepRecorder;
  warmup?: StepRecorder;
  before: CpuSnapshot;
  after: CpuSnapshot;
}): StepResult {
  const { users, seconds, recorder, before, after } = options;
  const all: number[] = [];
  const byOperation: StepResult['byOperation'] = {};
  const errorsOf = (op: Operation) =>
    sum([...recorder.errors.values()].filter((e) => e.operation === op).map((e) => e.count));
  for (const op of OPERATIONS) {
    const list = recorder.latencies.get(op);
    if (!list?.length) continue;
    all.push(...list);
    const sorted = ascending(list);
    byOperation[op] = {
      requests: list.length,
      rps: round(list.length / seconds),
      p50: round(percentile(sorted, 50)),
      p99: round(percentile(sorted, 99)),
      errors: errorsOf(op),
    };
  }
  const sorted = ascending(all);
  const requests = all.length;
  const { services, infra, loadGenerator } = cpuDelta(before, after);
  const machineBusy = after.machine.busy - before.machine.busy;
  const machineTotal = after.machine.total - before.machine.total;
  const perRequest = (cpuSeconds: number) => (requests ? round((cpuSeconds * 1000) / requests, 2) : NaN);
  const errorsByCode = [...recorder.errors.values()];
  return {
    users,
    seconds: round(seconds, 2),
    requests,
    rps: round(requests / seconds),
    p50: round(percentile(sorted, 50)),
    p99: round(percentile(sorted, 99)),
    errors: sum(errorsByCode.map((e) => e.count)),
    byOperation,
    kinds: { ...recorder.kinds },
    errorsByCode,
    warmupErrors: options.warmup ? [...options.warmup.errors.values()] : [],
    cpuSeconds: { services, loadGenerator, infra },
    cpuMsPerRequest: {
      stack: perRequest(sum(Object.values(services))),
      loadGenerator: perRequest(loadGenerator),
      infra: perRequest(sum(Object.values(infra))),
      machine: perRequest(machineBusy),
    },
    machineBusy: machineTotal > 0 ? round(machineBusy / machineTotal, 3) : NaN,
  };
}

export interface Verdict {
  saturation: { users: number; rps: number };
  half: { users: number; rps: number; p99: number };
  errors: number;
  targets: { target: string; value: string; met: boolean }[];
}

/**
 * The saturation point (the step with the highest req/s), the step up to it whose req/s is nearest
 * half of it, and one line per P3 target. `extraErrors`: errors outside the steps (warm-ups, verification).
 */
export function verdict(steps: readonly StepResult[], extraErrors: number): Verdict {
  if (steps.length === 0) throw new Error('no steps');
  const top = steps.reduce((best, step) => (step.rps > best.rps ? step : best));
  // Half of saturation on the way up to it (a step past saturation with fewer req/s is not "half load").
  const half = steps
    .filter((step) => step.users <= top.users)
    .reduce((best, step) =>
      Math.abs(step.rps - top.rps / 2) < Math.abs(best.rps - top.rps / 2) ? step : best,
    );
  const errors = sum(steps.map((step) => step.errors)) + extraErrors;
  return {
    saturation: { users: top.users, rps: top.rps },
    half: { users: half.users, rps: half.rps, p99: half.p99 },
    errors,
    targets: [
      {
        target: `saturation >= ${SATURATION_TARGET_RPS} req/s (3x today's ~${TODAY_RPS})`,
        value: `${top.rps} req/s at ${top.users} users (${(top.rps / TODAY_RPS).toFixed(2)}x)`,
        met: top.rps >= SATURATION_TARGET_RPS,
      },
      {
        target: `p99 <= ${P99_TARGET_MS} ms at half of saturation`,
        value: `${half.p99} ms at ${half.users} users (${half.rps} req/s)`,
        met: half.p99 <= P99_TARGET_MS,
      },
      { target: '0 errors', value: `${errors}`, met: errors === 0 },
    ],
  };
}

const pad = (text: string | number, width: number) => String(text).padStart(width);
const padEnd = (text: string | number, width: number) => String(text).padEnd(width);

/** One line per step: throughput, latency, errors, CPU per request, the machine's load. */
export function formatSteps(steps: readonly StepResult[]): string[] {
  const lines = [
    `${pad('users', 5)} ${pad('req/s', 7)} ${pad('p50 ms', 7)} ${pad('p99 ms', 7)} ${pad('errors', 6)}  ` +
      `${pad('mix b:p:c:o', 15)}  CPU ms/req: ${pad('stack', 6)} ${pad('loadgen', 7)} ${pad('pg+redis+kafka', 14)} ${pad('machine', 7)}  ${pad('busy', 5)}`,
  ];
  for (const s of steps) {
    const mix = KINDS.map((kind) => (s.kinds.checkout ? s.kinds[kind] / s.kinds.checkout : NaN))
      .map((ratio) => (Number.isFinite(ratio) ? ratio.toFixed(1) : '-'))
      .join(':');
    lines.push(
      `${pad(s.users, 5)} ${pad(s.rps.toFixed(1), 7)} ${pad(s.p50.toFixed(1), 7)} ${pad(s.p99.toFixed(1), 7)} ${pad(s.errors, 6)}  ` +
        `${pad(mix, 15)}              ${pad(s.cpuMsPerRequest.stack.toFixed(1), 6)} ${pad(s.cpuMsPerRequest.loadGenerator.toFixed(1), 7)} ` +
        `${pad(s.cpuMsPerRequest.infra.toFixed(1), 14)} ${pad(s.cpuMsPerRequest.machine.toFixed(1), 7)}  ${pad(`${Math.round(s.machineBusy * 100)}%`, 5)}`,
    );
  }
  lines.push(
    `  (mix: requests per checkout, target ${KINDS.map((k) => RATIO[k]).join(':')}; busy: share of all cores)`,
  );
  return lines;
}

/** req/s, p50/p99 and errors of each operation, one column group per step. */
export function formatOperations(steps: readonly StepResult[]): string[] {
  const header = `${padEnd('operation', 15)}${steps.map((s) => pad(`${s.users} users: req/s  p50  p99 err`, 30)).join('')}`;
  const lines = [header];
  for (const op of OPERATIONS) {
    const cells = steps.map((s) => {
      const o = s.byOperation[op];
      return o
        ? pad(
            `${o.rps.toFixed(1)} ${pad(o.p50.toFixed(0), 4)} ${pad(o.p99.toFixed(0), 4)} ${pad(o.errors, 3)}`,
            30,
          )
        : pad('-', 30);
    });
    lines.push(`${padEnd(op, 15)}${cells.join('')}`);
  }
  return lines;
}

/** CPU seconds of each process between two snapshots. */
export function cpuDelta(before: CpuSnapshot, after: CpuSnapshot): StepResult['cpuSeconds'] {
  return {
    services: delta(after.services, before.services),
    loadGenerator: round(after.loadGenerator - before.loadGenerator, 2),
    infra: Object.fromEntries(
      Object.entries(after.infra).map(([name, pids]) => [
        name,
        round(sum(Object.values(delta(pids, before.infra[name] ?? {}))), 2),
      ]),
    ),
  };
}

/** The stack with no traffic: CPU seconds of each process over `seconds`. */
export interface IdleCpu {
  seconds: number;
  cpuSeconds: StepResult['cpuSeconds'];
}

/**
 * CPU seconds of each process during each step; before them, the share of one core each used with
 * no traffic (`idle`), after them its CPU ms per request over every step.
 */
export function formatCpu(steps: readonly StepResult[], idle?: IdleCpu): string[] {
  if (steps.length === 0) return [];
  const services = Object.keys(steps[0]!.cpuSeconds.services);
  const infra = Object.keys(steps[0]!.cpuSeconds.infra);
  const requests = sum(steps.map((s) => s.requests));
  const row = (name: string, pick: (cpu: StepResult['cpuSeconds']) => number) => {
    const idleShare = idle ? pick(idle.cpuSeconds) / idle.seconds : NaN;
    const perStep = steps.map((s) => pick(s.cpuSeconds));
    const perRequest = (sum(perStep) * 1000) / requests;
    return (
      `${padEnd(name, 22)}${pad(Number.isFinite(idleShare) ? `${(idleShare * 100).toFixed(1)}%` : '-', 8)}` +
      `${perStep.map((v) => pad(Number.isFinite(v) ? v.toFixed(2) : '-', 9)).join('')}` +
      `${pad(Number.isFinite(perRequest) ? perRequest.toFixed(2) : '-', 9)}`
    );
  };
  return [
    `${padEnd('CPU s during step', 22)}${pad('idle', 8)}${steps.map((s) => pad(`${s.users}u`, 9)).join('')}${pad('ms/req', 9)}`,
    ...services.map((name) => row(name, (cpu) => cpu.services[name] ?? NaN)),
    row('(stack total)', (cpu) => sum(Object.values(cpu.services))),
    row('load generator', (cpu) => cpu.loadGenerator),
    ...infra.map((name) => row(`${name} (shared)`, (cpu) => cpu.infra[name] ?? NaN)),
    `${padEnd('step seconds', 22)}${pad(idle ? idle.seconds.toFixed(1) : '-', 8)}${steps.map((s) => pad(s.seconds.toFixed(2), 9)).join('')}`,
    `  (idle: share of one core with no traffic; ms/req: CPU ms per request over every step)`,
  ];
}

/** Every error seen, by operation and code, with a sample message. */
export function formatErrors(errors: readonly ErrorCount[]): string[] {
  return errors.map((e) => `  ${e.operation} ${e.code} x${e.count}: ${e.sample}`);
}
