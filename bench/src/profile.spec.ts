import { describe, expect, it } from '@jest/globals';
import { formatProfileSummary, packageOf, summarizeProfile, type CpuProfile } from './profile.js';

const frame = (functionName: string, url = '', lineNumber = 0) => ({ functionName, url, lineNumber });

// (root) -> handler (router) -> execute (@apollo/gateway) -> parse (graphql)
//                            -> (garbage collector)
//        -> (idle)
const profile: CpuProfile = {
  nodes: [
    { id: 1, callFrame: frame('(root)'), children: [2, 6] },
    { id: 2, callFrame: frame('handler', 'file:///repo/router/src/app.ts', 9), children: [3, 5] },
    {
      id: 3,
      callFrame: frame('execute', 'file:///repo/node_modules/@apollo/gateway/dist/executeQueryPlan.js', 99),
      children: [4],
    },
    { id: 4, callFrame: frame('parse', 'file:///repo/node_modules/graphql/language/parser.js', 4) },
    { id: 5, callFrame: frame('(garbage collector)') },
    { id: 6, callFrame: frame('(idle)') },
  ],
  startTime: 0,
  endTime: 10_000,
  // Each sample lasts until the next one; the last one gets the mean interval (10 ms / 6 = 1,667 us).
  samples: [4, 4, 3, 2, 5, 6],
  timeDeltas: [0, 1_000, 2_000, 1_000, 1_000, 3_000],
};

describe('CPU profile summary', () => {
  it('names the package of a frame: npm packages, scoped ones, Node, the project, V8 categories', () => {
    expect(packageOf(frame('f', 'file:///a/node_modules/@apollo/gateway/dist/x.js'))).toBe('@apollo/gateway');
    expect(packageOf(frame('f', 'file:///a/node_modules/x/node_modules/graphql/index.js'))).toBe('graphql');
    expect(packageOf(frame('f', 'node:internal/streams/readable'))).toBe('node:internal/streams');
    expect(packageOf(frame('f', 'node:internal/deps/undici/undici'))).toBe('node:undici');
    expect(packageOf(frame('f', 'node:_http_client'))).toBe('node:_http_client');
    expect(packageOf(frame('f', 'file:///work/repo/router/src/app.ts'))).toBe('router');
    expect(packageOf(frame('f', 'file:///work/repo/subgraphs/orders/src/x.ts'))).toBe('subgraphs/orders');
    expect(packageOf(frame('(garbage collector)'))).toBe('(garbage collection)');
    expect(packageOf(frame('(program)'))).toBe('(program: V8 and native code)');
    expect(packageOf(frame('JSON.stringify'))).toBe('(native)');
  });

  it('sums self time by package and function, and total time by package over the stack', () => {
    const summary = summarizeProfile(profile);
    // parse: 1,000 + 2,000 us; execute 1,000; handler 1,000; GC 3,000; idle = the mean interval.
    expect(summary.busyMs).toBeCloseTo(8);
    expect(summary.idleMs).toBeCloseTo(10 / 6);
    expect(summary.selfByPackage.map((s) => [s.name, s.ms])).toEqual([
      ['graphql', 3],
      ['(garbage collection)', 3],
      ['@apollo/gateway', 1],
      ['router', 1],
    ]);
    const total = Object.fromEntries(summary.totalByPackage.map((s) => [s.name, s.ms]));
    expect(total).toEqual({ router: 8, '@apollo/gateway': 4, graphql: 3, '(garbage collection)': 3 });
    expect(summary.selfByFunction[0]).toEqual({
      name: 'parse (graphql language/parser.js:5)',
      ms: 3,
      share: 3 / 8,
    });
  });

  it('leaves out the samples taken before `fromMs`', () => {
    // Samples at 0, 1, 3, 4, 5 and 8 ms: from 3.5 ms on, the handler's, GC's and idle's remain.
    const summary = summarizeProfile(profile, 20, 3.5);
    expect(summary.selfByPackage.map((s) => [s.name, s.ms])).toEqual([
      ['(garbage collection)', 3],
      ['router', 1],
    ]);
    expect(summary.idleMs).toBeCloseTo(10 / 6);
  });

  it('prints shares of the busy time, a limited number per list', () => {
    const text = formatProfileSummary(summarizeProfile(profile, 2), 'router');
    expect(text.split('\n')[0]).toBe('router: 8 ms busy, 2 ms idle');
    expect(text).toContain(' 37.5%        3 ms  graphql');
    const [, selfByPackage, totalByPackage, selfByFunction] = text.split(/\n(?=\S)/);
    // @apollo/gateway is third in self time: beyond the limit of 2.
    expect(selfByPackage).toBe(
      'self time by package\n   37.5%        3 ms  graphql\n   37.5%        3 ms  (garbage collection)',
    );
    expect(totalByPackage).toContain('100.0%        8 ms  router\n   50.0%        4 ms  @apollo/gateway');
    expect(selfByFunction).toContain('  37.5%        3 ms  (garbage collection)');
  });
});
