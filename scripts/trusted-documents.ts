/**
 * The storefront's trusted-documents manifest, web/persisted-query-manifest.json: every operation of its
 * .graphql documents (web/src), as Apollo Client sends it (with `__typename`, its fragments, operation
 * first), by `generate-persisted-query-manifest` (config: web/persisted-query-manifest.config.json). Its
 * ids are the SHA-256 of each body. A router started with TRUSTED_DOCUMENTS=<this file> serves the
 * storefront and nothing else.
 *
 *   tsx scripts/trusted-documents.ts          rewrite the manifest (part of `npm run codegen`)
 *   tsx scripts/trusted-documents.ts --check  fail, naming the operations, when it is out of date
 *                                             (part of `npm run check:codegen`)
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const ROOT = resolve(import.meta.dirname, '..');
const WEB = join(ROOT, 'web');
const MANIFEST = join(WEB, 'persisted-query-manifest.json');
const CLI = join(ROOT, 'node_modules', '.bin', 'generate-persisted-query-manifest');

interface Manifest {
  operations: { id: string; name: string; body: string }[];
}

/** Writes the manifest of web/src's documents to `output`. */
function generate(output: string) {
  const config = JSON.parse(
    readFileSync(join(WEB, 'persisted-query-manifest.config.json'), 'utf8'),
  ) as object;
  const dir = mkdtempSync(join(tmpdir(), 'trusted-documents-'));
  try {
    const configPath = join(dir, 'persisted-query-manifest.config.json');
    writeFileSync(configPath, JSON.stringify({ ...config, output }));
    execFileSync(CLI, ['--config', configPath], { cwd: WEB, stdio: ['ignore', 'ignore', 'inherit'] });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv.includes('--check')) {
  const dir = mkdtempSync(join(tmpdir(), 'trusted-documents-'));
  try {
    const fresh = join(dir, 'manifest.json');
    generate(fresh);
    const read = (path: string) => JSON.parse(readFileSync(path, 'utf8')) as Manifest;
    const [committed, wanted] = [read(MANIFEST), read(fresh)];
    const ids = (manifest: Manifest) => new Map(manifest.operations.map((op) => [op.name, op.id]));
    const [have, want] = [ids(committed), ids(wanted)];
    const changed = [...new Set([...have.keys(), ...want.keys()])].filter(
      (name) => have.get(name) !== want.get(name),
    );
    if (changed.length > 0 || readFileSync(MANIFEST, 'utf8') !== readFileSync(fresh, 'utf8')) {
      console.error(
        `web/persisted-query-manifest.json is out of date${changed.length ? ` (${changed.sort().join(', ')})` : ''}: run npm run codegen`,
      );
      process.exitCode = 1;
    } else {
      console.log(`web/persisted-query-manifest.json is up to date (${wanted.operations.length} operations)`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
} else {
  generate(MANIFEST);
}
