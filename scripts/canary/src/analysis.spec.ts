import { describe, expect, it } from '@jest/globals';
import { decide, parseSteps, promoteSets, queries, scalarOf, type Reading } from './analysis.js';

const t = { maxErrorRate: 0.01, maxP99Seconds: 1, minRequests: 50 };
const healthy = (service: string): Reading => ({
  service,
  requests: 500,
  errorRate: 0.001,
  httpErrorRate: 0,
  p99Seconds: 0.2,
});

describe('decide', () => {
  it('advances a healthy canary, promotes it after the last step', () => {
    expect(decide(5, false, [healthy('orders')], t).action).toBe('advance');
    expect(decide(100, true, [healthy('orders'), healthy('router')], t).action).toBe('promote');
  });

  it.each([
    ['failed operations', { errorRate: 0.02 }, /orders: 2.00% of operations failed/],
    ['5xx answers', { httpErrorRate: 0.5 }, /orders: 50.00% of requests answered 5xx/],
    ['a slow p99', { p99Seconds: 1.5 }, /orders: p99 1.500 s/],
  ])('rolls back on %s', (_, over, reason) => {
    const verdict = decide(25, false, [healthy('router'), { ...healthy('orders'), ...over }], t);
    expect(verdict.action).toBe('rollback');
    expect(verdict.reasons).toHaveLength(1);
    expect(verdict.reasons[0]).toMatch(reason);
  });

  it('at the threshold is still healthy; just past it is not', () => {
    expect(decide(50, false, [{ ...healthy('orders'), errorRate: 0.01, p99Seconds: 1 }], t).action).toBe(
      'advance',
    );
    expect(decide(50, false, [{ ...healthy('orders'), errorRate: 0.0101 }], t).action).toBe('rollback');
  });

  it('too little traffic is inconclusive, unless a threshold is already breached', () => {
    const thin = { ...healthy('orders'), requests: 49 };
    expect(decide(5, false, [thin], t)).toEqual({
      action: 'inconclusive',
      reasons: ['orders: 49 operations at 5% (need 50)'],
    });
    expect(decide(5, false, [{ ...thin, httpErrorRate: 1 }], t).action).toBe('rollback');
    // No series at all (a canary that never answered) is no evidence of health either.
    expect(
      decide(
        100,
        true,
        [{ service: 'orders', requests: NaN, errorRate: null, httpErrorRate: null, p99Seconds: null }],
        t,
      ).action,
    ).toBe('inconclusive');
  });

  it('needs readings', () => {
    expect(() => decide(5, false, [], t)).toThrow(/no readings/);
  });
});

describe('parseSteps', () => {
  it('takes increasing steps ending at 100', () => {
    expect(parseSteps('5,25,50,100')).toEqual([5, 25, 50, 100]);
  });
  it.each(['5,25,50', '25,5,100', '0,100', '5,5,100', '5,x,100', '5,50,101'])('refuses %s', (s) => {
    expect(() => parseSteps(s)).toThrow(/steps must be/);
  });
});

describe('queries', () => {
  it("select the canary's pods and Istio's canary version in the namespace", () => {
    const q = queries('shop', 'orders', '5m');
    expect(q.errorRate).toBe(
      'sum(rate(graphql_operations_failed_total{namespace="shop",service="orders",pod=~"orders-canary-.+",type!="subscription"}[5m]))' +
        ' / sum(rate(graphql_operation_duration_seconds_count{namespace="shop",service="orders",pod=~"orders-canary-.+",type!="subscription"}[5m]))',
    );
    expect(q.httpErrorRate).toContain('destination_version="canary"');
    expect(q.httpErrorRate).toContain('response_code=~"5.."');
    expect(q.p99Seconds).toMatch(
      /^histogram_quantile\(0\.99, sum by \(le\) \(rate\(graphql_operation_duration_seconds_bucket\{/,
    );
  });
});

describe('scalarOf', () => {
  const vector = (result: unknown[]) => ({ status: 'success', data: { resultType: 'vector', result } });
  it('reads the value, null for nothing or NaN', () => {
    expect(scalarOf(vector([{ metric: {}, value: [1, '0.25'] }]))).toBe(0.25);
    expect(scalarOf(vector([]))).toBeNull();
    expect(scalarOf(vector([{ metric: {}, value: [1, 'NaN'] }]))).toBeNull();
  });
  it('refuses an error answer', () => {
    expect(() => scalarOf({ status: 'error', error: 'parse error' })).toThrow(/unexpected Prometheus answer/);
  });
});

describe('promoteSets', () => {
  it("the canary tag becomes each service's tag, the canary goes", () => {
    expect(promoteSets(['router', 'orders'], ['orders'], 'abc')).toEqual([
      'router.image.tag=abc',
      'subgraphs.orders.image.tag=abc',
      'canary.enabled=false',
      'canary.weight=0',
    ]);
    expect(() => promoteSets(['shipping'], ['orders'], 'abc')).toThrow(/no subgraph/);
  });
});
