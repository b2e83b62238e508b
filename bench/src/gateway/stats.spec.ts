import { describe, expect, it } from '@jest/globals';
import { compareResponse, formatRatios, formatRuns, ratios, spread, type GatewayRun } from './stats.js';

const run = (gateway: string, round: number, requestsPerSecond: number): GatewayRun => ({
  gateway,
  round,
  requests: requestsPerSecond * 10,
  seconds: 10,
  requestsPerSecond,
  p50Ms: 10,
  p99Ms: 30,
  cpuMsPerRequest: 4.5,
  rssMiB: 120,
  peakRssMiB: 140,
  fetchesPerRequest: 16,
  failures: 0,
  response: 'identical',
});

describe('gateway benchmark figures', () => {
  it('spreads values into min, median and max', () => {
    expect(spread([3, 1, 2])).toEqual({ min: 1, median: 2, max: 3 });
    expect(spread([4, 1, 3, 2])).toEqual({ min: 1, median: 2.5, max: 4 });
    expect(spread([])).toEqual({ min: NaN, median: NaN, max: NaN });
  });

  it('compares a response byte for byte, then as JSON', () => {
    const expected = '{"data":{"a":[1,{"b":null}]}}';
    expect(compareResponse(expected, expected)).toBe('identical');
    expect(compareResponse('{ "data": { "a": [1, { "b": null }] } }', expected)).toBe('same');
    expect(compareResponse('{"data":{"a":[{"b":null},1]}}', expected)).toBe('different');
    expect(compareResponse('{"data":{"a":[1,{"b":null}]},"errors":[]}', expected)).toBe('different');
    expect(compareResponse('{"data":{"a":[1,{}]}}', expected)).toBe('different');
    expect(compareResponse('not json', expected)).toBe('different');
  });

  it('pairs runs of the same round for a throughput ratio', () => {
    const runs = [
      run('base', 1, 100),
      run('ours', 1, 200),
      run('base', 2, 50),
      run('ours', 2, 75),
      run('ours', 3, 90),
    ];
    expect(ratios(runs, 'ours', 'base')).toEqual([2, 1.5]);
    const text = formatRatios(runs, 'base', ['base', 'ours']);
    expect(text).toContain('ours / base');
    expect(text).toMatch(/2\.00x 1\.50x\s+1\.50x\s+1\.75x\s+2\.00x/);
  });

  it('prints one aligned line per run, with how its answers compared', () => {
    const lines = formatRuns([run('router', 1, 123.45), { ...run('other', 1, 9), response: 'same' }]).split(
      '\n',
    );
    expect(lines).toHaveLength(3);
    expect(lines[1]).toMatch(
      /^router\s+1\s+123\.5\s+10\.0\s+30\.0\s+4\.50\s+120\s+140\s+16\.00\s+0\s+identical$/,
    );
    expect(lines[2]).toMatch(/same JSON$/);
    expect(new Set(lines.map((line) => line.length)).size).toBe(1);
  });
});
