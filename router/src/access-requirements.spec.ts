import { describe, expect, it } from '@jest/globals';
import { buildSchema, parse, type OperationDefinitionNode } from 'graphql';
import { findAccessViolation, readAccessRequirements } from './access-requirements.js';
import { SUPERGRAPH } from './test-fixtures.js';

const schema = buildSchema(SUPERGRAPH, { assumeValidSDL: true });
const requirements = readAccessRequirements(SUPERGRAPH);

function violation(query: string, scopes: string[] | undefined, variables: Record<string, unknown> = {}) {
  const document = parse(query);
  const operation = document.definitions.find(
    (d): d is OperationDefinitionNode => d.kind === 'OperationDefinition',
  )!;
  return findAccessViolation({ schema, document, operation, variables, requirements, scopes });
}

describe('readAccessRequirements', () => {
  it('reads field-level and type-level directives with their scope sets', () => {
    expect([...requirements.authenticated].sort()).toEqual(['Query.me', 'Secret', 'User.email']);
    expect(Object.fromEntries(requirements.scopes)).toEqual({
      'Query.users': [['ADMIN']],
      'Mutation.createProduct': [['ADMIN'], ['CATALOG_EDITOR', 'CUSTOMER']],
      'User.roles': [['ADMIN']],
      'Product.margin': [['ADMIN']],
    });
  });

  it('follows a renamed import and finds nothing in a supergraph that links neither feature', () => {
    const renamed = readAccessRequirements(
      'schema @link(url: "https://specs.apollo.dev/authenticated/v0.1", as: "signedIn", for: SECURITY) { query: Query }\n' +
        'type Query { a: Int @signedIn b: Int @authenticated }',
    );
    expect([...renamed.authenticated]).toEqual(['Query.a']);
    const none = readAccessRequirements('schema { query: Query } type Query { a: Int @authenticated }');
    expect(none.authenticated.size + none.scopes.size).toBe(0);
  });
});

describe('findAccessViolation', () => {
  it('lets anyone touch unprotected fields', () => {
    expect(violation('{ ping product(id: "1") { name tags } }', undefined)).toBeUndefined();
  });

  it('refuses an anonymous caller on an @authenticated field, lets a signed-in one through', () => {
    expect(violation('{ me { name } }', undefined)).toEqual({
      code: 'UNAUTHENTICATED',
      coordinate: 'Query.me',
    });
    expect(violation('{ me { name email } }', ['CUSTOMER'])).toBeUndefined();
  });

  it('protects a field that returns an @authenticated type', () => {
    expect(violation('{ secret { code } }', undefined)).toEqual({
      code: 'UNAUTHENTICATED',
      coordinate: 'Secret',
    });
    expect(violation('{ secret { code } }', [])).toBeUndefined();
  });

  it('needs one full scope set for @requiresScopes; anonymous is UNAUTHENTICATED, signed-in FORBIDDEN', () => {
    const query = 'mutation { createProduct(name: "x") { id } }';
    expect(violation(query, undefined)?.code).toBe('UNAUTHENTICATED');
    expect(violation(query, ['CATALOG_EDITOR'])).toEqual({
      code: 'FORBIDDEN',
      coordinate: 'Mutation.createProduct',
      requiredScopes: [['ADMIN'], ['CATALOG_EDITOR', 'CUSTOMER']],
    });
    expect(violation(query, ['CUSTOMER', 'CATALOG_EDITOR'])).toBeUndefined();
    expect(violation(query, ['ADMIN'])).toBeUndefined();
    expect(violation(query, ['admin'])?.code).toBe('FORBIDDEN');
  });

  it('finds protected fields nested, in named and inline fragments, and through interfaces and unions', () => {
    expect(violation('{ product(id: "1") { related { margin } } }', ['CUSTOMER'])?.coordinate).toBe(
      'Product.margin',
    );
    expect(
      violation(
        '{ ...F } fragment F on Query { product(id: "1") { ...P } } fragment P on Product { margin }',
        ['CUSTOMER'],
      )?.coordinate,
    ).toBe('Product.margin');
    expect(violation('{ search(text: "a") { ... on User { email } } }', undefined)?.coordinate).toBe(
      'User.email',
    );
    expect(violation('{ search(text: "a") { ... on Product { name } } }', undefined)).toBeUndefined();
    expect(violation('{ node(id: "1") { ... on User { roles } } }', ['CUSTOMER'])?.coordinate).toBe(
      'User.roles',
    );
    expect(violation('{ node(id: "1") { id } }', undefined)).toBeUndefined();
  });

  it('skips what @skip/@include leave out and ignores __typename', () => {
    const query = 'query($admin: Boolean!) { __typename ping users @include(if: $admin) { id } }';
    expect(violation(query, ['CUSTOMER'], { admin: false })).toBeUndefined();
    expect(violation(query, ['CUSTOMER'], { admin: true })?.coordinate).toBe('Query.users');
    expect(violation('{ me @skip(if: true) { id } }', undefined)).toBeUndefined();
  });
});
