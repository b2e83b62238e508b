/**
 * CPU time from /proc (Linux): a process's user + system seconds (`/proc/<pid>/stat`) with its
 * descendants' (a service that forks workers), the summed time of every process of a program
 * (Postgres with its backends, Redis, Kafka's JVM), and the whole machine's busy and total seconds
 * (`/proc/stat`).
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import type { RunningStack } from '../../scripts/stack.js';
import type { CpuSnapshot } from '../src/storefront/report.js';

const TICKS_PER_SECOND = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    return 100;
  }
})();

interface ProcessCpu {
  ppid: number;
  comm: string;
  seconds: number;
}

/** Every process on the machine now: parent, command name, utime + stime in seconds. */
function processes(): Map<number, ProcessCpu> {
  const all = new Map<number, ProcessCpu>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const comm = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
      // Fields after the command name (which may hold spaces), from field 3 (state) on.
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      all.set(Number(entry), {
        ppid: Number(fields[1]),
        comm,
        seconds: (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND,
      });
    } catch {
      // gone meanwhile
    }
  }
  return all;
}

/** CPU seconds of `pid` and every process below it (a service's workers); NaN when it is gone. */
function treeCpuSeconds(all: Map<number, ProcessCpu>, pid: number | undefined): number {
  if (pid === undefined || !all.has(pid)) return Number.NaN;
  let seconds = 0;
  for (const [candidate, info] of all) {
    for (let at: number | undefined = candidate, hops = 0; at && hops < 64; hops += 1) {
      if (at === pid) {
        seconds += info.seconds;
        break;
      }
      at = all.get(at)?.ppid;
    }
  }
  return seconds;
}

/** A program's processes on the machine, by what their command line looks like. */
export const INFRA_PROGRAMS: Record<string, (comm: string, cmdline: () => string) => boolean> = {
  postgres: (comm) => comm === 'postgres',
  redis: (comm) => comm === 'redis-server',
  kafka: (comm, cmdline) => comm === 'java' && /kafka/i.test(cmdline()),
};

/** CPU seconds of each of INFRA_PROGRAMS' processes alive now, by program and pid. */
function infraCpuSeconds(all: Map<number, ProcessCpu>): Record<string, Record<string, number>> {
  const byProgram: Record<string, Record<string, number>> = Object.fromEntries(
    Object.keys(INFRA_PROGRAMS).map((n) => [n, {}]),
  );
  for (const [pid, info] of all) {
    const cmdline = () => {
      try {
        return readFileSync(`/proc/${pid}/cmdline`, 'utf8');
      } catch {
        return '';
      }
    };
    for (const [name, matches] of Object.entries(INFRA_PROGRAMS))
      if (matches(info.comm, cmdline)) byProgram[name]![pid] = info.seconds;
  }
  return byProgram;
}

/** The machine's busy and total CPU seconds since boot, every core summed. */
export function machineCpuSeconds(): { busy: number; total: number } {
  const line = readFileSync('/proc/stat', 'utf8').split('\n')[0]!;
  const [, ...values] = line.trim().split(/\s+/);
  // user nice system idle iowait irq softirq (steal left out: another guest's; guest time is in user)
  const [user, nice, system, idle, iowait, irq, softirq] = values.slice(0, 7).map(Number) as number[];
  const busy = user! + nice! + system! + irq! + softirq!;
  return { busy: busy / TICKS_PER_SECOND, total: (busy + idle! + iowait!) / TICKS_PER_SECOND };
}

/** Everything at once: the stack's processes by name, this process, the infrastructure, the machine. */
export function cpuSnapshot(pids: ReadonlyMap<string, number | undefined>): CpuSnapshot {
  const usage = process.cpuUsage();
  const all = processes();
  return {
    services: Object.fromEntries([...pids].map(([name, pid]) => [name, treeCpuSeconds(all, pid)])),
    loadGenerator: (usage.user + usage.system) / 1e6,
    infra: infraCpuSeconds(all),
    machine: machineCpuSeconds(),
  };
}

/**
 * CPU seconds each process of `stack` (with its workers) and this process (`bench`) has used so far;
 * a process that is gone is left out.
 */
export function stackCpuSeconds(stack: RunningStack): Record<string, number> {
  const all = processes();
  const used: Record<string, number> = {};
  for (const [name, managed] of stack.processes) {
    const seconds = treeCpuSeconds(all, managed.child.pid);
    if (!Number.isNaN(seconds)) used[name] = seconds;
  }
  const own = process.cpuUsage();
  used.bench = (own.user + own.system) / 1e6;
  return used;
}
