import { describe, expect, it } from '@jest/globals';
import { buildApiSchema } from './api-schema.js';
import { composeSupergraph } from './composition.js';
import { validateDocuments, validateOperations } from './operations.js';
import { ACCOUNTS, CATALOG } from './test-fixtures.js';

function apiSchemaOf(...sources: Parameters<typeof composeSupergraph>[0]) {
  const outcome = composeSupergraph(sources);
  if (!outcome.ok) throw new Error('fixture must compose');
  return buildApiSchema(outcome.supergraphSdl);
}

const FULL = apiSchemaOf(ACCOUNTS, CATALOG);
const QUERY_ONLY = apiSchemaOf(CATALOG);

describe('validateOperations', () => {
  it('passes operations that validate, one result per name in document order', () => {
    const report = validateOperations(
      FULL,
      `query Me { me { id email roles } }
       mutation Login($e: String!, $p: String!) { login(email: $e, password: $p) }
       query Product($id: ID!) { product(id: $id) { ...ProductBits } }
       fragment ProductBits on Product { id name }`,
    );

    expect(report).toEqual({
      parsed: true,
      documentErrors: [],
      operations: [
        { name: 'Me', operation: 'query', errors: [] },
        { name: 'Login', operation: 'mutation', errors: [] },
        { name: 'Product', operation: 'query', errors: [] },
      ],
    });
  });

  it('fails an operation that asks for an unknown field, with the location in the named file', () => {
    const report = validateOperations(
      FULL,
      'query Fine { product(id: "1") { id } }\nquery Broken {\n  product(id: "1") { id price }\n}',
      'ops.graphql',
    );

    expect(report.operations[0]?.errors).toEqual([]);
    expect(report.operations[1]).toEqual({
      name: 'Broken',
      operation: 'query',
      errors: ['Cannot query field "price" on type "Product". (ops.graphql:3:25)'],
    });
  });

  it('fails a mutation against a schema without a Mutation type (graphql-js alone would accept it)', () => {
    const report = validateOperations(QUERY_ONLY, 'mutation AddThing {\n  addThing\n}');

    expect(report.operations).toEqual([
      {
        name: 'AddThing',
        operation: 'mutation',
        errors: ['the schema has no Mutation type, so mutation AddThing cannot run (operations.graphql:1:1)'],
      },
    ]);
  });

  it('fails a subscription against a schema without a Subscription type', () => {
    const [result] = validateOperations(FULL, 'subscription Feed { feed { id } }').operations;

    expect(result?.errors[0]).toMatch(/^the schema has no Subscription type/);
  });

  it('validates each operation only with the fragments it uses', () => {
    const report = validateOperations(
      FULL,
      `query A { product(id: "1") { ...Good } }
       query B { product(id: "1") { ...Bad } }
       fragment Good on Product { id }
       fragment Bad on Product { nope }`,
    );

    expect(report.operations.map((op) => [op.name, op.errors.length])).toEqual([
      ['A', 0],
      ['B', 1],
    ]);
  });

  it('reports document-level problems: anonymous and duplicate operations, unused fragments', () => {
    const report = validateOperations(
      FULL,
      `query A { me { id } }
       query A { me { email } }
       { me { id } }
       fragment Unused on User { id }`,
    );

    expect(report.documentErrors).toEqual([
      expect.stringContaining('There can be only one operation named "A".'),
      expect.stringContaining('Fragment "Unused" is never used.'),
      expect.stringContaining('an anonymous query: every operation needs a name'),
    ]);
  });

  it('reports a syntax error as a document error without throwing', () => {
    const report = validateOperations(FULL, 'query Broken {', 'ops.graphql');

    expect(report).toEqual({
      parsed: false,
      documentErrors: ['Syntax Error: Expected Name, found <EOF>. (ops.graphql:1:15)'],
      operations: [],
    });
  });
});

describe('validateDocuments', () => {
  it('takes several files as one document, so an operation may spread a fragment of another file', () => {
    const report = validateDocuments(FULL, [
      { name: 'card.graphql', text: 'fragment Card on Product { id name }' },
      { name: 'page.graphql', text: 'query Page($id: ID!) { product(id: $id) { ...Card } }' },
    ]);

    expect(report).toEqual({
      parsed: true,
      documentErrors: [],
      operations: [{ name: 'Page', operation: 'query', errors: [] }],
    });
  });

  it('names the file of each error, and of each syntax error', () => {
    const invalid = validateDocuments(FULL, [
      { name: 'a.graphql', text: 'query A { me { id } }' },
      { name: 'b.graphql', text: 'query B {\n  me { nope }\n}' },
    ]);
    const broken = validateDocuments(FULL, [
      { name: 'a.graphql', text: 'query A { me { id } }' },
      { name: 'c.graphql', text: 'query C {' },
    ]);

    expect(invalid.operations[1]!.errors).toEqual([
      'Cannot query field "nope" on type "User". (b.graphql:2:8)',
    ]);
    expect(broken).toEqual({
      parsed: false,
      documentErrors: ['Syntax Error: Expected Name, found <EOF>. (c.graphql:1:10)'],
      operations: [],
    });
  });
});
