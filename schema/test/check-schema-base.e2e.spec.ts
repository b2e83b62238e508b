/**
 * `npm run check:schema -- --base <ref>` end to end: the real scripts (compose.ts, check-schema.ts) run on
 * a copy of the repository's schema pipeline and subgraph SDL in a temporary git repository, whose first
 * commit is the base. A breaking change to a subgraph fails the check until the allowlist lists it; an
 * additive one passes. The client contract is a one-operation file, so only the comparison decides.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { execFile } from 'node:child_process';
import {
  appendFileSync,
  cpSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { readSupergraphConfig } from '../src/supergraph/index.js';

const ROOT = resolve(import.meta.dirname, '../..');
const TSX = join(ROOT, 'node_modules/.bin/tsx');
// The base adds a field to products' Query; the changes below remove it or add a second one.
const PROBE = '\nextend type Query {\n  """A field only this spec uses."""\n  checkProbe: String\n}\n';
const SECOND = '\nextend type Query {\n  """Another."""\n  checkProbeToo: Int\n}\n';

let repo: string;
let productsSdl: string;

function run(command: string, args: string[]): Promise<{ code: number; output: string }> {
  return new Promise((resolveRun) => {
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      CONTRACT_OPERATIONS: join(repo, 'probe.graphql'),
      CONTRACT_UPSTREAM: join(repo, 'none'),
    };
    delete env.SUPERGRAPH_CONFIG;
    execFile(command, args, { cwd: repo, env }, (error, stdout, stderr) => {
      resolveRun({ code: error ? Number(error.code ?? 1) : 0, output: `${stdout}${stderr}` });
    });
  });
}

const git = async (...args: string[]) => {
  const result = await run('git', args);
  if (result.code !== 0) throw new Error(`git ${args.join(' ')}: ${result.output}`);
  return result.output;
};
const compose = async () => {
  const result = await run(TSX, ['schema/scripts/compose.ts']);
  if (result.code !== 0) throw new Error(`compose failed:\n${result.output}`);
};
const checkSchema = (...args: string[]) => run(TSX, ['schema/scripts/check-schema.ts', ...args]);
const setProducts = (sdl: string) => writeFileSync(productsSdl, sdl);
const allow = (text: string) => writeFileSync(join(repo, 'schema/breaking-changes-allowed.txt'), text);

beforeAll(async () => {
  repo = mkdtempSync(join(tmpdir(), 'check-schema-base-'));
  cpSync(join(ROOT, 'supergraph.yaml'), join(repo, 'supergraph.yaml'));
  for (const subgraph of (await readSupergraphConfig(join(ROOT, 'supergraph.yaml'))).subgraphs) {
    cpSync(subgraph.schemaPath, join(repo, subgraph.schemaFile));
  }
  cpSync(join(ROOT, 'schema'), join(repo, 'schema'), {
    recursive: true,
    filter: (p) => !p.includes('node_modules'),
  });
  symlinkSync(join(ROOT, 'node_modules'), join(repo, 'node_modules'));
  writeFileSync(join(repo, 'probe.graphql'), 'query Probe {\n  __typename\n}\n');
  writeFileSync(join(repo, 'schema/pending-operations.txt'), '');
  allow('# reviewed breaking changes\n');
  productsSdl = join(repo, 'subgraphs/products/products.graphql');
  appendFileSync(productsSdl, PROBE);
  await compose();
  await git('init', '--quiet', '--initial-branch=main');
  await git('add', '--all');
  await git('-c', 'user.name=spec', '-c', 'user.email=spec@shop.local', 'commit', '--quiet', '-m', 'base');
}, 120_000);

afterAll(() => {
  if (repo) rmSync(repo, { recursive: true, force: true });
});

describe('check:schema --base', () => {
  it('passes with no changes against the base', async () => {
    const { code, output } = await checkSchema('--base', 'main');

    expect(output).toContain('API schema against main (schema/supergraph.graphql): no changes');
    expect(output).toContain('schema check passed');
    expect(code).toBe(0);
  });

  it('fails on a breaking change (a removed field), then passes once the allowlist lists it', async () => {
    setProducts(readFileSync(productsSdl, 'utf8').replace(PROBE, ''));
    await compose();

    const broken = await checkSchema('--base', 'main');

    expect(broken.output).toContain('1 breaking (0 allowed), 0 dangerous, 0 safe');
    expect(broken.output).toContain(
      'breaking change against main: FIELD_REMOVED Query.checkProbe: ' +
        "Field 'checkProbe' was removed from object type 'Query'",
    );
    expect(broken.output).toContain('schema check failed (1 problem)');
    expect(broken.code).toBe(1);

    allow('FIELD_REMOVED Query.checkProbe  only the spec ever read it\n');
    const allowed = await checkSchema('--base=main');

    expect(allowed.output).toContain(
      "BREAKING   FIELD_REMOVED Query.checkProbe: Field 'checkProbe' was removed from object type 'Query' " +
        '(allowed: only the spec ever read it)',
    );
    expect(allowed.output).toContain('schema check passed');
    expect(allowed.code).toBe(0);
  }, 60_000);

  it('passes an additive change and prints it as safe; a stale allowlist entry fails it', async () => {
    setProducts((await git('show', 'main:subgraphs/products/products.graphql')) + SECOND);
    await compose();
    allow('');

    const added = await checkSchema('--base', 'main');

    expect(added.output).toContain('0 breaking (0 allowed), 0 dangerous, 2 safe');
    expect(added.output).toContain(
      "SAFE       FIELD_ADDED Query.checkProbeToo: Field 'checkProbeToo' was added",
    );
    expect(added.code).toBe(0);

    allow('FIELD_REMOVED Query.checkProbe  only the spec ever read it\n');
    const stale = await checkSchema('--base', 'main');

    expect(stale.output).toContain(
      'schema/breaking-changes-allowed.txt:1: FIELD_REMOVED Query.checkProbe matches no breaking change against main; remove the line.',
    );
    expect(stale.code).toBe(1);
  }, 60_000);

  it("fails with git's message on a ref that does not exist", async () => {
    const { code, output } = await checkSchema('--base', 'no-such-branch');

    expect(output).toMatch(/cannot read schema\/supergraph\.graphql at no-such-branch: fatal: /);
    expect(code).toBe(1);
  });
});
