/** Pure helpers of the gateway benchmark: the figures of one run, ratios over rounds, the table. */

/** What one measured run of one gateway gave. */
export interface GatewayRun {
  gateway: string;
  round: number;
  requests: number;
  seconds: number;
  requestsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  /** CPU time of the gateway's process over the measured window, divided by its requests. */
  cpuMsPerRequest: number;
  rssMiB: number;
  peakRssMiB: number;
  /** Subgraph fetches over the measured window, divided by its requests. */
  fetchesPerRequest: number;
  /** Non-2xx answers, socket errors and timeouts during the window (a correct run has none). */
  failures: number;
  /**
   * How the gateway's answers before and after the load compared with expected-response.json: byte
   * for byte both times, or only as JSON (the same data, formatted differently). A different answer
   * stops the benchmark.
   */
  response: 'identical' | 'same';
}

export interface Spread {
  min: number;
  median: number;
  max: number;
}

export function spread(values: readonly number[]): Spread {
  if (values.length === 0) return { min: Number.NaN, median: Number.NaN, max: Number.NaN };
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  const median = sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
  return { min: sorted[0]!, median, max: sorted.at(-1)! };
}

/**
 * How a gateway's answer compares with the expected one: `identical` byte for byte, `same` as JSON
 * (the same data and errors, perhaps formatted or ordered differently), or `different`.
 */
export function compareResponse(body: string, expected: string): 'identical' | 'same' | 'different' {
  if (body === expected) return 'identical';
  try {
    return sameJson(JSON.parse(body), JSON.parse(expected)) ? 'same' : 'different';
  } catch {
    return 'different';
  }
}

function sameJson(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const keys = Object.keys(a);
  if (keys.length !== Object.keys(b).length) return false;
  return keys.every((key) =>
    sameJson((a as Record<string, unknown>)[key], (b as Record<string, unknown>)[key]),
  );
}

/**
 * The ratio of `gateway`'s throughput to `baseline`'s in each round both ran in, in round order.
 */
export function ratios(runs: readonly GatewayRun[], gateway: string, baseline: string): number[] {
  const byRound = (name: string) => new Map(runs.filter((r) => r.gateway === name).map((r) => [r.round, r]));
  const ours = byRound(gateway);
  const theirs = byRound(baseline);
  return [...ours.keys()]
    .filter((round) => theirs.has(round))
    .sort((a, b) => a - b)
    .map((round) => ours.get(round)!.requestsPerSecond / theirs.get(round)!.requestsPerSecond);
}

const fixed = (value: number, digits: number) => (Number.isFinite(value) ? value.toFixed(digits) : '-');

/** One line per run: the columns of {@link GatewayRun}, aligned. */
export function formatRuns(runs: readonly GatewayRun[]): string {
  const header = [
    'gateway',
    'round',
    'req/s',
    'p50 ms',
    'p99 ms',
    'CPU ms/req',
    'RSS MiB',
    'peak MiB',
    'fetches/req',
    'failed',
    'response',
  ];
  const rows = runs.map((r) => [
    r.gateway,
    String(r.round),
    fixed(r.requestsPerSecond, 1),
    fixed(r.p50Ms, 1),
    fixed(r.p99Ms, 1),
    fixed(r.cpuMsPerRequest, 2),
    fixed(r.rssMiB, 0),
    fixed(r.peakRssMiB, 0),
    fixed(r.fetchesPerRequest, 2),
    String(r.failures),
    r.response === 'identical' ? 'identical' : 'same JSON',
  ]);
  return table([header, ...rows]);
}

/** One line per compared gateway: its throughput ratio to the baseline per round and their spread. */
export function formatRatios(
  runs: readonly GatewayRun[],
  baseline: string,
  gateways: readonly string[],
): string {
  const rows = gateways
    .filter((gateway) => gateway !== baseline)
    .map((gateway) => {
      const each = ratios(runs, gateway, baseline);
      const { min, median, max } = spread(each);
      return [
        `${gateway} / ${baseline}`,
        each.map((ratio) => `${fixed(ratio, 2)}x`).join(' '),
        `${fixed(min, 2)}x`,
        `${fixed(median, 2)}x`,
        `${fixed(max, 2)}x`,
      ];
    });
  return table([['throughput ratio', 'per round', 'min', 'median', 'max'], ...rows]);
}

function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, column) => Math.max(...rows.map((row) => row[column]!.length)));
  return rows
    .map((row) =>
      row
        .map((cell, column) => (column === 0 ? cell.padEnd(widths[column]!) : cell.padStart(widths[column]!)))
        .join('  '),
    )
    .join('\n');
}
