import { afterAll, describe, expect, it } from '@jest/globals';
import { readAccessRequirements } from '../access-requirements.js';
import { SUPERGRAPH } from '../test-fixtures.js';
import { accessDirectivesPlugin } from './access-directives.plugin.js';
import { admin, customer, pluginTestServer } from './plugin-test-server.js';

const requirements = readAccessRequirements(SUPERGRAPH);

describe('accessDirectivesPlugin', () => {
  const server = pluginTestServer([accessDirectivesPlugin({ requirementsFor: () => requirements })]);
  const closedServer = pluginTestServer([accessDirectivesPlugin({ requirementsFor: () => undefined })]);
  afterAll(async () => {
    await server.stop();
    await closedServer.stop();
  });

  it('refuses an anonymous caller on an @authenticated field with UNAUTHENTICATED (401) before execution', async () => {
    const before = server.executions;
    const result = await server.run('{ ping me { name } }');
    expect(result.status).toBe(401);
    expect(result.errors).toEqual([
      { message: 'Authentication required for Query.me', extensions: { code: 'UNAUTHENTICATED' } },
    ]);
    expect(result.data).toBeUndefined();
    expect(server.executions).toBe(before);
  });

  it('lets a signed-in caller read @authenticated fields', async () => {
    const result = await server.run('{ me { name email } secret { code } }', { viewer: customer });
    expect(result.errors).toBeUndefined();
    expect(result.data).toEqual({
      me: { name: 'Ada', email: 'ada@example.com' },
      secret: { code: 's3cr3t' },
    });
  });

  it('refuses a caller without the scopes with FORBIDDEN (403) and lets one with them through', async () => {
    const before = server.executions;
    const refused = await server.run('mutation { createProduct(name: "x") { id } }', { viewer: customer });
    expect(refused.status).toBe(403);
    expect(refused.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect(refused.errors?.[0]?.message).toBe(
      'Mutation.createProduct requires the scopes ADMIN or CATALOG_EDITOR and CUSTOMER',
    );
    expect(server.executions).toBe(before);
    const allowed = await server.run('mutation { createProduct(name: "x") { id } }', { viewer: admin });
    expect(allowed.data).toEqual({ createProduct: { id: 'p1' } });
  });

  it('checks nested fields reached through a fragment', async () => {
    const result = await server.run('{ product(id: "1") { ...P } } fragment P on Product { name margin }', {
      viewer: customer,
    });
    expect(result.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  });

  it('fails closed when the rules of the schema are unknown', async () => {
    const result = await closedServer.run('{ ping }', { viewer: admin });
    expect(result.status).toBe(503);
    expect(result.errors?.[0]?.extensions?.code).toBe('INTERNAL_SERVER_ERROR');
    expect(closedServer.executions).toBe(0);
  });
});
