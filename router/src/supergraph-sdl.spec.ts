import { describe, expect, it } from '@jest/globals';
import { parse } from 'graphql';
import {
  gatewayCompatibleSupergraph,
  linkedDirectiveName,
  subgraphEndpoints,
  subgraphUrlKey,
  unmatchedSubgraphUrls,
  withSubgraphUrls,
} from './supergraph-sdl.js';
import { SUPERGRAPH } from './test-fixtures.js';

describe('gatewayCompatibleSupergraph', () => {
  it('drops the for: purpose of the enforced links only, keeping every other character in place', () => {
    const prepared = gatewayCompatibleSupergraph(SUPERGRAPH);
    expect(prepared).toHaveLength(SUPERGRAPH.length);
    expect(prepared).toContain('@link(url: "https://specs.apollo.dev/join/v0.5", for: EXECUTION)');
    expect(prepared).not.toMatch(/authenticated\/v0\.1", for: SECURITY/);
    expect(prepared).not.toMatch(/requiresScopes\/v0\.1", for: SECURITY/);
    expect(prepared.split('\n')).toHaveLength(SUPERGRAPH.split('\n').length);
    expect(() => parse(prepared)).not.toThrow();
    // The directives stay for the access rules.
    expect(prepared).toContain('me: User @authenticated');
  });

  it('leaves a feature the router does not enforce to be refused by the gateway', () => {
    const sdl = SUPERGRAPH.replace(
      '@link(url: "https://specs.apollo.dev/link/v1.0")',
      '@link(url: "https://specs.apollo.dev/link/v1.0")\n  @link(url: "https://specs.apollo.dev/policy/v0.1", for: SECURITY)',
    );
    expect(gatewayCompatibleSupergraph(sdl)).toContain('policy/v0.1", for: SECURITY)');
  });

  it('returns a supergraph without security links unchanged and refuses what is not GraphQL', () => {
    const plain =
      'schema @link(url: "https://specs.apollo.dev/link/v1.0") { query: Query } type Query { a: Int }';
    expect(gatewayCompatibleSupergraph(plain)).toBe(plain);
    expect(() => gatewayCompatibleSupergraph('type Query {')).toThrow(/Syntax Error/);
  });
});

describe('subgraphEndpoints', () => {
  it('lists the join__Graph names and routing URLs in file order', () => {
    expect(subgraphEndpoints(SUPERGRAPH)).toEqual([
      { name: 'accounts', url: 'http://127.0.0.1:4001/graphql' },
      { name: 'catalog', url: 'http://127.0.0.1:4003/graphql' },
    ]);
  });
});

describe('linkedDirectiveName', () => {
  it('is the feature name, the link alias, or undefined when not linked', () => {
    expect(linkedDirectiveName(parse(SUPERGRAPH), 'authenticated')).toBe('authenticated');
    const renamed = parse(
      'schema @link(url: "https://specs.apollo.dev/authenticated/v0.1", as: "signedIn", for: SECURITY) { query: Query }',
    );
    expect(linkedDirectiveName(renamed, 'authenticated')).toBe('signedIn');
    expect(linkedDirectiveName(renamed, 'requiresScopes')).toBeUndefined();
  });
});

describe('withSubgraphUrls', () => {
  const endpoints = [
    { name: 'accounts', url: 'http://127.0.0.1:4001/graphql' },
    { name: 'order-history', url: 'http://127.0.0.1:4010/graphql' },
  ];

  it('replaces the routing URL of each subgraph an override names, matched by its upper-cased key', () => {
    expect(subgraphUrlKey('order-history')).toBe('ORDER_HISTORY');
    expect(withSubgraphUrls(endpoints, { ACCOUNTS: 'http://accounts:4001/graphql' })).toEqual([
      { name: 'accounts', url: 'http://accounts:4001/graphql' },
      { name: 'order-history', url: 'http://127.0.0.1:4010/graphql' },
    ]);
    expect(withSubgraphUrls(endpoints, { 'order-history': 'http://history/graphql' })[1]).toEqual({
      name: 'order-history',
      url: 'http://history/graphql',
    });
    expect(withSubgraphUrls(endpoints)).toEqual(endpoints);
  });

  it('names the overrides that match no subgraph', () => {
    expect(
      unmatchedSubgraphUrls(endpoints, { ACCOUNT: 'http://a/graphql', ORDER_HISTORY: 'http://h/graphql' }),
    ).toEqual(['ACCOUNT']);
    expect(unmatchedSubgraphUrls(endpoints, {})).toEqual([]);
  });
});
