import { describe, expect, it } from '@jest/globals';
import { buildApiSchema } from './api-schema.js';
import {
  composeSupergraph,
  compositionVersion,
  formatCompositionProblems,
  withGeneratedHeader,
  type CompositionProblem,
} from './composition.js';
import { ACCOUNTS, CATALOG, source } from './test-fixtures.js';

const CONFLICTING_CATALOG = source(
  'reviews',
  `extend schema @link(url: "https://specs.apollo.dev/federation/v2.9", import: ["@key"])

type Product @key(fields: "id") {
  id: ID!
  name: Int!
}
`,
);

function problemsOf(sources: Parameters<typeof composeSupergraph>[0]): CompositionProblem[] {
  const outcome = composeSupergraph(sources);
  if (outcome.ok) throw new Error('expected composition to fail');
  return outcome.problems;
}

describe('composeSupergraph', () => {
  it('composes valid subgraphs into a supergraph SDL that joins them all', () => {
    const outcome = composeSupergraph([ACCOUNTS, CATALOG]);

    expect(outcome.ok).toBe(true);
    if (!outcome.ok) return;
    expect(outcome.supergraphSdl).toContain(
      'ACCOUNTS @join__graph(name: "accounts", url: "http://127.0.0.1:4000/accounts")',
    );
    expect(outcome.supergraphSdl).toContain('CATALOG @join__graph(name: "catalog"');
  });

  it('reports a composition error with its code, the subgraphs involved and their SDL locations', () => {
    const problems = problemsOf([CATALOG, CONFLICTING_CATALOG]);

    const mismatch = problems.find((p) => p.code === 'FIELD_TYPE_MISMATCH');
    expect(mismatch).toEqual({
      code: 'FIELD_TYPE_MISMATCH',
      message: expect.stringContaining('Type of field "Product.name" is incompatible across subgraphs'),
      subgraphs: ['catalog', 'reviews'],
      locations: ['subgraphs/catalog/catalog.graphql:9:3', 'subgraphs/reviews/reviews.graphql:5:3'],
    });
  });

  it('attributes a subgraph-local error to its subgraph and drops the [name] prefix from the message', () => {
    const broken = source(
      'broken',
      `extend schema @link(url: "https://specs.apollo.dev/federation/v2.9", import: ["@key"])
type Query { thing: Thing }
type Thing @key(fields: "missing") { id: ID! }
`,
    );

    const [problem] = problemsOf([CATALOG, broken]);

    expect(problem?.code).toBe('KEY_INVALID_FIELDS');
    expect(problem?.subgraphs).toEqual(['broken']);
    expect(problem?.message).toMatch(/^On type "Thing"/);
  });

  it('reports SDL syntax errors of every subgraph before composing', () => {
    const problems = problemsOf([source('one', 'type Query {'), CATALOG, source('two', 'type Query { a: }')]);

    expect(problems.map((p) => [p.code, p.subgraphs, p.locations])).toEqual([
      ['GRAPHQL_PARSE_FAILED', ['one'], ['subgraphs/one/one.graphql:1:13']],
      ['GRAPHQL_PARSE_FAILED', ['two'], ['subgraphs/two/two.graphql:1:17']],
    ]);
  });

  it('formats problems as a numbered list a person can read', () => {
    const text = formatCompositionProblems([
      {
        code: 'FIELD_TYPE_MISMATCH',
        message: 'it differs',
        subgraphs: ['a', 'b'],
        locations: ['a.graphql:1:2'],
      },
      { code: 'SOMETHING', message: 'no subgraph named', subgraphs: [], locations: [] },
    ]);

    expect(text).toBe(
      '  1. FIELD_TYPE_MISMATCH [a, b]: it differs\n       at a.graphql:1:2\n  2. SOMETHING: no subgraph named',
    );
  });
});

describe('withGeneratedHeader', () => {
  it('prefixes a comment header without a timestamp that still parses as a supergraph', () => {
    const outcome = composeSupergraph([ACCOUNTS, CATALOG]);
    if (!outcome.ok) throw new Error('fixture must compose');

    const text = withGeneratedHeader(outcome.supergraphSdl, compositionVersion());

    expect(text).toMatch(/^# GENERATED FILE: do not edit\. Run `npm run compose`/);
    expect(text).toContain(`@apollo/composition ${compositionVersion()}`);
    expect(text.endsWith('}\n')).toBe(true);
    expect(withGeneratedHeader(outcome.supergraphSdl, compositionVersion())).toBe(text);
    expect(buildApiSchema(text).getQueryType()?.getFields()).toHaveProperty('product');
  });
});
