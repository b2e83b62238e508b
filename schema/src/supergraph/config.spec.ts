import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import {
  checkFederationVersion,
  parseSupergraphConfig,
  readSupergraphConfig,
  SupergraphConfigError,
} from './config.js';
import { loadSubgraphSources, SubgraphSourceError } from './sources.js';

const VALID = `federation_version: =2.14.4
subgraphs:
  auth:
    routing_url: http://127.0.0.1:4001/graphql
    schema:
      file: ./subgraphs/auth/auth.graphql
  users:
    routing_url: http://127.0.0.1:4002/graphql
    schema:
      file: subgraphs/users/users.graphql
`;

function problemsOf(yamlText: string): readonly string[] {
  try {
    parseSupergraphConfig(yamlText, '/repo');
  } catch (error) {
    if (error instanceof SupergraphConfigError) return error.problems;
    throw error;
  }
  throw new Error('expected a SupergraphConfigError');
}

describe('parseSupergraphConfig', () => {
  it('reads rover-style subgraphs in file order, resolving schema files against the base folder', () => {
    expect(parseSupergraphConfig(VALID, '/repo')).toEqual({
      federationVersion: '=2.14.4',
      subgraphs: [
        {
          name: 'auth',
          routingUrl: 'http://127.0.0.1:4001/graphql',
          schemaFile: 'subgraphs/auth/auth.graphql',
          schemaPath: '/repo/subgraphs/auth/auth.graphql',
        },
        {
          name: 'users',
          routingUrl: 'http://127.0.0.1:4002/graphql',
          schemaFile: 'subgraphs/users/users.graphql',
          schemaPath: '/repo/subgraphs/users/users.graphql',
        },
      ],
    });
  });

  it('treats federation_version as optional and accepts a bare major version', () => {
    expect(parseSupergraphConfig(VALID.replace(/^federation_version.*\n/, ''), '/repo')).not.toHaveProperty(
      'federationVersion',
    );
    expect(parseSupergraphConfig(VALID.replace('=2.14.4', '2'), '/repo').federationVersion).toBe('2');
  });

  it('lists every problem at once', () => {
    const problems = problemsOf(`subgraphs:
  a:
    schema:
      file: a.graphql
  b:
    routing_url: http://b/graphql
    schema:
      subgraph_url: http://b/graphql
  c: nope
`);

    expect(problems).toEqual([
      'subgraph "a" needs a routing_url that is an absolute URL',
      'subgraph "b" needs schema.file, the path of its SDL file (found subgraph_url; only local files are supported here)',
      'subgraph "c" must be a mapping with routing_url and schema.file',
    ]);
  });

  it('refuses a config without subgraphs and invalid YAML', () => {
    expect(problemsOf('federation_version: =2.14.4\n')).toEqual([
      '`subgraphs:` must map at least one subgraph name to its routing_url and schema',
    ]);
    expect(problemsOf('subgraphs: [\n')[0]).toMatch(/^invalid YAML: /);
  });
});

describe('checkFederationVersion', () => {
  it('accepts no pin, an exact match and a matching prefix', () => {
    expect(checkFederationVersion(undefined, '2.14.4')).toBeUndefined();
    expect(checkFederationVersion('=2.14.4', '2.14.4')).toBeUndefined();
    expect(checkFederationVersion('2', '2.14.4')).toBeUndefined();
    expect(checkFederationVersion('2.14', '2.14.4')).toBeUndefined();
  });

  it('explains a mismatch', () => {
    expect(checkFederationVersion('=2.14.3', '2.14.4')).toBe(
      'supergraph.yaml pins federation_version =2.14.3, but @apollo/composition 2.14.4 is installed',
    );
    expect(checkFederationVersion('2.1', '2.14.4')).toBeDefined();
  });
});

describe('reading files', () => {
  it('loads each SDL file and names every missing one', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'supergraph-config-'));
    try {
      await writeFile(join(dir, 'supergraph.yaml'), VALID);
      await writeFile(join(dir, 'auth.graphql'), 'type Query { a: String }');
      const config = await readSupergraphConfig(join(dir, 'supergraph.yaml'));
      const [auth] = config.subgraphs;
      if (!auth) throw new Error('expected the auth subgraph');

      const [loaded] = await loadSubgraphSources([{ ...auth, schemaPath: join(dir, 'auth.graphql') }]);
      expect(loaded).toEqual({
        name: 'auth',
        url: 'http://127.0.0.1:4001/graphql',
        file: 'subgraphs/auth/auth.graphql',
        sdl: 'type Query { a: String }',
      });

      const missing = loadSubgraphSources(config.subgraphs);
      await expect(missing).rejects.toThrow(SubgraphSourceError);
      await expect(missing).rejects.toThrow(
        /subgraph "auth": subgraphs\/auth\/auth.graphql does not exist[^\n]*\n {2}- subgraph "users"/,
      );
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('reports a missing supergraph.yaml as a config error', async () => {
    await expect(readSupergraphConfig('/nonexistent/supergraph.yaml')).rejects.toThrow(
      /cannot read it \(ENOENT\)/,
    );
  });
});
