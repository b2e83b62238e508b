/**
 * A flame summary of a V8 CPU profile (`node --cpu-prof` writes one, `.cpuprofile`): where the
 * sampled time went, by package (self and total) and by function (self), as plain text for
 * bench/README.md.
 */

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
}

interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  children?: number[];
}

/** The parts of a `.cpuprofile` the summary reads. */
export interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  /** The node sampled at each tick. */
  samples: number[];
  /** Microseconds between one sample and the one before it. */
  timeDeltas: number[];
}

export interface Share {
  name: string;
  ms: number;
  /** Of all sampled time, 0 to 1. */
  share: number;
}

export interface ProfileSummary {
  /** Sampled time, idle excluded. */
  busyMs: number;
  idleMs: number;
  /** Time spent in the package's own code (or the category below), by package. */
  selfByPackage: Share[];
  /** Time with the package anywhere on the stack, by package: what it costs with what it calls. */
  totalByPackage: Share[];
  /** The functions with the most self time: `name (package file:line)`. */
  selfByFunction: Share[];
}

const SPECIAL: Record<string, string> = {
  '(garbage collector)': '(garbage collection)',
  '(program)': '(program: V8 and native code)',
  '(idle)': '(idle)',
  '(root)': '(root)',
};

/**
 * The package a frame belongs to: the npm package for code under node_modules (`@apollo/gateway`),
 * `node:<module>` for Node's own JavaScript, the project's top folder and package for its own code
 * (`router`, `platform`), or a category for V8's pseudo-frames (garbage collection, native code).
 */
export function packageOf(frame: CallFrame): string {
  const special = SPECIAL[frame.functionName];
  if (special && !frame.url) return special;
  const url = frame.url;
  if (!url) return '(native)';
  if (url.startsWith('node:internal/deps/')) return 'node:' + url.split('/')[2]; // undici, ...
  if (url.startsWith('node:internal/')) return 'node:internal/' + url.split('/')[1];
  if (url.startsWith('node:')) return url;
  const path = url.replace(/^file:\/\//, '');
  const modules = path.lastIndexOf('/node_modules/');
  if (modules >= 0) {
    const parts = path.slice(modules + '/node_modules/'.length).split('/');
    return parts[0]!.startsWith('@') ? `${parts[0]}/${parts[1]}` : parts[0]!;
  }
  const project = /\/(router|platform|subgraphs\/[^/]+|schema|bench|scripts|web|test)\//.exec(path);
  return project ? project[1]! : '(other)';
}

function location(frame: CallFrame): string {
  const file = frame.url.replace(/^file:\/\//, '').replace(/^.*\/node_modules\//, '');
  const short = file.split('/').slice(-2).join('/');
  return short ? `${short}:${frame.lineNumber + 1}` : '';
}

function top(totals: Map<string, number>, all: number, limit: number): Share[] {
  return [...totals]
    .sort((a, b) => b[1] - a[1])
    .slice(0, limit)
    .map(([name, us]) => ({ name, ms: us / 1000, share: all > 0 ? us / all : 0 }));
}

/**
 * Sums a profile: each sample lasts until the next one (the last one, the mean interval). Samples
 * taken in the first `fromMs` of the profile (a process's start, a warm-up) are left out.
 */
export function summarizeProfile(profile: CpuProfile, limit = 20, fromMs = 0): ProfileSummary {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const parent = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);

  const { samples, timeDeltas } = profile;
  const mean = samples.length > 0 ? (profile.endTime - profile.startTime) / samples.length : 0;
  const selfPackage = new Map<string, number>();
  const totalPackage = new Map<string, number>();
  const selfFunction = new Map<string, number>();
  let busy = 0;
  let idle = 0;
  const add = (map: Map<string, number>, key: string, us: number) => map.set(key, (map.get(key) ?? 0) + us);

  let at = profile.startTime;
  for (let i = 0; i < samples.length; i++) {
    at += timeDeltas[i] ?? 0;
    if (at - profile.startTime < fromMs * 1000) continue;
    const us = i + 1 < timeDeltas.length ? timeDeltas[i + 1]! : mean;
    const node = byId.get(samples[i]!);
    if (!node) continue;
    const pkg = packageOf(node.callFrame);
    if (pkg === '(idle)') {
      idle += us;
      continue;
    }
    busy += us;
    add(selfPackage, pkg, us);
    const name = node.callFrame.functionName || '(anonymous)';
    const where = location(node.callFrame);
    const described = pkg.startsWith('(')
      ? pkg === '(native)'
        ? `${name} (native)`
        : pkg
      : `${name} (${pkg} ${where})`;
    add(selfFunction, described, us);
    const onStack = new Set<string>();
    for (let id: number | undefined = node.id; id !== undefined; id = parent.get(id)) {
      const frame = byId.get(id)!.callFrame;
      if (frame.functionName === '(root)') continue;
      onStack.add(packageOf(frame));
    }
    for (const name of onStack) add(totalPackage, name, us);
  }
  return {
    busyMs: busy / 1000,
    idleMs: idle / 1000,
    selfByPackage: top(selfPackage, busy, limit),
    totalByPackage: top(totalPackage, busy, limit),
    selfByFunction: top(selfFunction, busy, limit),
  };
}

const percent = (share: number) => `${(share * 100).toFixed(1).padStart(5)}%`;

/** The summary as text: three ranked lists, shares of the busy (non-idle) time. */
export function formatProfileSummary(summary: ProfileSummary, title: string): string {
  const list = (heading: string, shares: Share[]) =>
    [
      heading,
      ...shares.map((s) => `  ${percent(s.share)}  ${s.ms.toFixed(0).padStart(7)} ms  ${s.name}`),
    ].join('\n');
  return [
    `${title}: ${summary.busyMs.toFixed(0)} ms busy, ${summary.idleMs.toFixed(0)} ms idle`,
    list('self time by package', summary.selfByPackage),
    list('total time by package (on the stack)', summary.totalByPackage),
    list('self time by function', summary.selfByFunction),
  ].join('\n');
}
