import { describe, expect, it } from '@jest/globals';
import { DEFAULT_SUPPORTED_SUPERGRAPH_FEATURES } from '@apollo/federation-internals';
import { ApiSchemaError, buildApiSchema, summarizeApiSchema } from './api-schema.js';
import { composeSupergraph } from './composition.js';
import { ACCOUNTS, CATALOG } from './test-fixtures.js';

function supergraphOf(...sources: Parameters<typeof composeSupergraph>[0]): string {
  const outcome = composeSupergraph(sources);
  if (!outcome.ok)
    throw new Error(`fixture must compose: ${outcome.problems.map((p) => p.message).join('; ')}`);
  return outcome.supergraphSdl;
}

describe('buildApiSchema', () => {
  it('builds the client-facing schema of a supergraph that links @authenticated and @requiresScopes', () => {
    const supergraphSdl = supergraphOf(ACCOUNTS, CATALOG);
    expect(supergraphSdl).toContain(
      '@link(url: "https://specs.apollo.dev/authenticated/v0.1", for: SECURITY)',
    );
    expect(supergraphSdl).toContain(
      '@link(url: "https://specs.apollo.dev/requiresScopes/v0.1", for: SECURITY)',
    );

    const schema = buildApiSchema(supergraphSdl);

    expect(Object.keys(schema.getQueryType()?.getFields() ?? {})).toEqual(['me', 'product']);
    expect(schema.getMutationType()?.name).toBe('Mutation');
    expect(schema.getType('join__Graph')).toBeUndefined();
  });

  it('refuses a supergraph linking a security feature outside the supported set, naming it', () => {
    const supergraphSdl = supergraphOf(ACCOUNTS, CATALOG);

    const build = () => buildApiSchema(supergraphSdl, DEFAULT_SUPPORTED_SUPERGRAPH_FEATURES);

    expect(build).toThrow(ApiSchemaError);
    expect(build).toThrow(/authenticated\/v0\.1 is for: SECURITY but is unsupported/);
  });

  it('refuses SDL that is not a supergraph', () => {
    expect(() => buildApiSchema('type Query { a: String }')).toThrow(ApiSchemaError);
  });
});

describe('summarizeApiSchema', () => {
  it('counts types and root fields and says which root types are missing', () => {
    const schema = buildApiSchema(supergraphOf(CATALOG));

    expect(summarizeApiSchema(schema)).toMatch(/^\d+ types; Query 1 fields, no Mutation, no Subscription$/);
  });
});
