import { randomBytes } from 'node:crypto';
import type { SubgraphEndpoint } from './supergraph-sdl.js';

/** The answer of `/health/ready`. */
export interface ReadinessReport {
  ok: boolean;
  /** `supergraph` and one entry per subgraph of the loaded supergraph. */
  checks: Record<string, boolean>;
}

export interface SupergraphReadinessOptions {
  /** The subgraphs of the supergraph being served, or undefined while none is loaded. */
  subgraphs: () => readonly SubgraphEndpoint[] | undefined;
  /** How long a report is reused. Default 2000 ms. */
  cacheMs?: number;
  /** How long a subgraph has to answer. Default 2000 ms. */
  timeoutMs?: number;
}

const PROBE = JSON.stringify({ query: 'query __RouterReadiness__ { __typename }' });

/**
 * A W3C trace context whose caller does not sample: a subgraph with tracing on (parent-based sampling,
 * the default) records nothing for a probe, so readiness checks do not fill the traces.
 */
const unsampledTraceparent = () =>
  `00-${randomBytes(16).toString('hex')}-${randomBytes(8).toString('hex')}-00`;

async function answers(url: string, timeoutMs: number): Promise<boolean> {
  try {
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', traceparent: unsampledTraceparent() },
      body: PROBE,
      signal: AbortSignal.timeout(timeoutMs),
    });
    if (!response.ok) return false;
    const body = (await response.json()) as { data?: { __typename?: unknown } };
    return typeof body.data?.__typename === 'string';
  } catch {
    return false;
  }
}

/**
 * Readiness of the router: a supergraph is loaded and every subgraph in it answers `{ __typename }` at its
 * routing URL (the same probe as the gateway's own health check). Reports are cached for `cacheMs` and
 * concurrent callers share one round of probes, so a busy probe endpoint costs the subgraphs little.
 */
export function supergraphReadiness({
  subgraphs,
  cacheMs = 2000,
  timeoutMs = 2000,
}: SupergraphReadinessOptions) {
  let cached: { at: number; report: Promise<ReadinessReport> } | undefined;
  const probe = async (): Promise<ReadinessReport> => {
    const endpoints = subgraphs();
    if (!endpoints) return { ok: false, checks: { supergraph: false } };
    const results = await Promise.all(
      endpoints.map(async (s) => [s.name, await answers(s.url, timeoutMs)] as const),
    );
    return {
      ok: results.every(([, ok]) => ok),
      checks: { supergraph: true, ...Object.fromEntries(results) },
    };
  };
  return {
    check(): Promise<ReadinessReport> {
      const now = Date.now();
      if (!cached || now - cached.at >= cacheMs) cached = { at: now, report: probe() };
      return cached.report;
    },
  };
}
