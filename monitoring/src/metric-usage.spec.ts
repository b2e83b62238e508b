import { describe, expect, it } from '@jest/globals';
import { metricUses, recordedNames, unknownNames } from './metric-usage.js';
import { serviceNames } from './outputs.js';
import { SERVED_SERIES } from './served-metrics.js';

describe('metric names of the rules and dashboards', () => {
  it('are all served (the inventory), recorded by a rule, or allowed cluster series', async () => {
    expect(unknownNames(await serviceNames())).toEqual([]);
  });

  it('reports a name nobody serves, with where it is used', async () => {
    const services = await serviceNames();
    const withoutLag = new Set([...SERVED_SERIES].filter((n) => n !== 'kafka_consumer_lag'));
    const unknown = unknownNames(services, withoutLag);
    expect(unknown).toEqual(
      expect.arrayContaining([
        { where: 'rules/kafka: service_group_topic:kafka_consumer_lag:sum', name: 'kafka_consumer_lag' },
      ]),
    );
    expect(unknown.every((u) => u.name === 'kafka_consumer_lag')).toBe(true);
  });

  it('covers every rule, every dashboard panel query and the dashboards read recorded series', async () => {
    const services = await serviceNames();
    const uses = metricUses(services);
    expect(uses.filter((u) => u.where.startsWith('rules/')).length).toBeGreaterThan(30);
    for (const uid of ['shop-router', 'shop-subgraph', 'shop-kafka', 'shop-business'])
      expect(uses.some((u) => u.where.startsWith(`dashboards/${uid}: `))).toBe(true);
    const recorded = recordedNames(services);
    expect(uses.some((u) => u.where.startsWith('dashboards/') && u.names.some((n) => recorded.has(n)))).toBe(
      true,
    );
    expect(uses.every((u) => u.names.length > 0 || u.expr.includes('vector('))).toBe(true);
  });
});
