/**
 * A service's Prometheus metrics as specs read them: `graphqlUrl` is the service's `/graphql` (its
 * `/metrics` is beside it, on the same port).
 */
export async function metricsText(graphqlUrl: string): Promise<string> {
  const response = await fetch(graphqlUrl.replace(/\/graphql$/, '/metrics'));
  if (!response.ok) throw new Error(`${graphqlUrl}: /metrics answered ${response.status}`);
  return response.text();
}

/** The sum of every sample of `name` (all label sets) in Prometheus text, only the label sets
 * with every one of `labels`; NaN when absent. */
export function metricSum(text: string, name: string, labels: Record<string, string> = {}): number {
  let sum = Number.NaN;
  const pattern = new RegExp(`^${name}(?:\\{([^}]*)\\})? (\\S+)$`, 'gm');
  for (const match of text.matchAll(pattern)) {
    const set = match[1] ?? '';
    if (!Object.entries(labels).every(([k, v]) => set.includes(`${k}="${v}"`))) continue;
    sum = (Number.isNaN(sum) ? 0 : sum) + Number(match[2]);
  }
  return sum;
}

/**
 * The value of the series `name` that has no labels of its own (only the service's default ones, such
 * as `service`), e.g. the `live_subscribers` gauge; NaN when the service does not serve it.
 */
export async function metricValue(graphqlUrl: string, name: string): Promise<number> {
  const match = new RegExp(`^${name}(?:\\{service="[^"]*"\\})? (\\S+)$`, 'm').exec(
    await metricsText(graphqlUrl),
  );
  return match ? Number(match[1]) : Number.NaN;
}

/**
 * How many live-event subscribers the replica at `graphqlUrl` serves (`live_subscribers`): once a
 * subscription counts here, every event its replica consumes from then on reaches it.
 */
export const liveSubscriberCount = (graphqlUrl: string) => metricValue(graphqlUrl, 'live_subscribers');
