import { describe, expect, it } from '@jest/globals';
import { buildSchema, parse, type OperationDefinitionNode } from 'graphql';
import { measureOperation } from './operation-measures.js';
import { SUPERGRAPH } from './test-fixtures.js';

const schema = buildSchema(SUPERGRAPH, { assumeValidSDL: true });

function measure(query: string, variables: Record<string, unknown> = {}, defaultListSize?: number) {
  const document = parse(query);
  const operation = document.definitions.find(
    (d): d is OperationDefinitionNode => d.kind === 'OperationDefinition',
  )!;
  return measureOperation(schema, document, operation, variables, { defaultListSize });
}

describe('measureOperation', () => {
  it('measures depth as field nesting, without introspection fields', () => {
    expect(measure('{ ping }').depth).toBe(1);
    expect(measure('{ me { id } }').depth).toBe(2);
    expect(measure('{ product(id: "1") { related { related { name } } } }').depth).toBe(4);
    expect(
      measure('{ __schema { types { fields { type { ofType { ofType { name } } } } } } ping }').depth,
    ).toBe(1);
  });

  it('counts aliases wherever they execute, including through fragments spread more than once', () => {
    expect(measure('{ a: ping b: ping ping }').aliases).toBe(2);
    const query = '{ product(id: "1") { ...F related { ...F } } } fragment F on Product { x: name y: name }';
    expect(measure(query).aliases).toBe(4);
  });

  it('costs 1 per field, lists times the default size, sized fields times first/last', () => {
    expect(measure('{ ping }').cost).toBe(1);
    // users: first defaults to 20 in the schema; 1 + 20 * (id + name)
    expect(measure('{ users { id name } }').cost).toBe(41);
    expect(measure('{ users(first: 5) { id name } }').cost).toBe(11);
    // tags is a list of scalars: no sub-selection to multiply.
    expect(measure('{ product(id: "1") { tags } }').cost).toBe(2);
    // related has a first argument but none given and no default: a list, so the default size (10).
    expect(measure('{ product(id: "1") { related { name } } }').cost).toBe(1 + (1 + 10 * 1));
    expect(measure('{ product(id: "1") { related { name } } }', {}, 3).cost).toBe(1 + (1 + 3 * 1));
    expect(
      measure('query($n: Int) { product(id: "1") { related(first: $n) { name } } }', { n: 50 }).cost,
    ).toBe(52);
  });

  it('does not multiply a connection twice: edges under a sized field have size 1', () => {
    // products(first: 2): 1 + 2 * (edges: 1 + 1 * (node: 1 + 1 * name) + totalCount: 1)
    expect(measure('{ products(first: 2) { edges { node { name } } totalCount } }').cost).toBe(
      1 + 2 * (3 + 1),
    );
    // first defaults to 20
    expect(measure('{ products { edges { node { name } } } }').cost).toBe(1 + 20 * 3);
  });

  it('still multiplies a list under a sized list: only a connection sizes its edges', () => {
    // related(first: 3) is a list, not a connection: the list below it counts the default size on its own.
    expect(measure('{ product(id: "1") { related(first: 3) { related { name } } } }').cost).toBe(
      1 + (1 + 3 * (1 + 10 * 1)),
    );
  });

  it('multiplies nested sizes and stays linear in the document for exponential fragments', () => {
    expect(
      measure(
        '{ users(first: 100) { id } products(first: 100) { edges { node { related(first: 100) { name } } } } }',
      ).cost,
    ).toBe(1 + 100 + (1 + 100 * (1 + (1 + (1 + 100)))));
    const levels = 30;
    let fragments = 'fragment L0 on Product { name }\n';
    for (let i = 1; i <= levels; i++)
      fragments += `fragment L${i} on Product { a: related(first: 2) { ...L${i - 1} } b: related(first: 2) { ...L${i - 1} } }\n`;
    const started = performance.now();
    const result = measure(`{ product(id: "1") { ...L${levels} } } ${fragments}`);
    expect(performance.now() - started).toBeLessThan(200);
    expect(result.cost).toBeGreaterThan(2 ** levels);
    expect(result.aliases).toBe(2 ** (levels + 1) - 2);
    expect(result.depth).toBe(levels + 2);
  });
});
