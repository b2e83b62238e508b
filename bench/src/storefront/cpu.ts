/**
 * CPU time from /proc (Linux): a process's user + system seconds (`/proc/<pid>/stat`), the summed
 * time of every process of a program (Postgres with its backends, Redis, Kafka's JVM), and the
 * whole machine's busy and total seconds (`/proc/stat`).
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import type { CpuSnapshot } from './report.js';

const TICKS_PER_SECOND = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    return 100;
  }
})();

/** utime + stime of `pid` in seconds; NaN when it is gone. */
export function processCpuSeconds(pid: number | undefined): number {
  if (pid === undefined) return Number.NaN;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may hold spaces), from field 3 (state) on.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
  } catch {
    return Number.NaN;
  }
}

/** A program's processes on the machine, by what their command line looks like. */
export const INFRA_PROGRAMS: Record<string, (comm: string, cmdline: string) => boolean> = {
  postgres: (comm) => comm === 'postgres',
  redis: (comm) => comm === 'redis-server',
  kafka: (comm, cmdline) => comm === 'java' && /kafka/i.test(cmdline),
};

/** Summed CPU seconds of each of INFRA_PROGRAMS' processes alive now. */
export function infraCpuSeconds(): Record<string, number> {
  const totals: Record<string, number> = Object.fromEntries(Object.keys(INFRA_PROGRAMS).map((n) => [n, 0]));
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const comm = readFileSync(`/proc/${entry}/comm`, 'utf8').trim();
      for (const [name, matches] of Object.entries(INFRA_PROGRAMS)) {
        if (!matches(comm, name === 'kafka' ? readFileSync(`/proc/${entry}/cmdline`, 'utf8') : '')) continue;
        const seconds = processCpuSeconds(Number(entry));
        if (Number.isFinite(seconds)) totals[name]! += seconds;
      }
    } catch {
      // gone meanwhile
    }
  }
  return totals;
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
  return {
    services: Object.fromEntries([...pids].map(([name, pid]) => [name, processCpuSeconds(pid)])),
    loadGenerator: (usage.user + usage.system) / 1e6,
    infra: infraCpuSeconds(),
    machine: machineCpuSeconds(),
  };
}
