/**
 * Whether the compiled bundles in dist/ (scripts/build.ts) are there and up to date, so the local
 * stack and the specs never run yesterday's code.
 */
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { ROOT } from './build.js';

/**
 * Throws, naming the service and the file, when `dist/<service>/main.mjs` is missing or older than a
 * repository file it was built from (its `inputs.json`, written by the build), or than the lockfile.
 */
export async function assertBuilt(services: readonly string[]): Promise<void> {
  const lockfile = (await stat(join(ROOT, 'package-lock.json'))).mtimeMs;
  for (const service of services) {
    const bundle = join(ROOT, 'dist', service, 'main.mjs');
    const builtAt = await stat(bundle).then(
      (s) => s.mtimeMs,
      () => undefined,
    );
    if (builtAt === undefined) throw new Error(`dist/${service}/main.mjs is missing: run npm run build`);
    const inputs = JSON.parse(await readFile(join(ROOT, 'dist', service, 'inputs.json'), 'utf8')) as string[];
    const changed = [{ file: 'package-lock.json', mtimeMs: lockfile }];
    for (const file of inputs) {
      const mtimeMs = await stat(join(ROOT, file)).then(
        (s) => s.mtimeMs,
        () => Infinity, // a source that is gone: the bundle is stale too
      );
      changed.push({ file, mtimeMs });
    }
    const newer = changed.find((input) => input.mtimeMs > builtAt);
    if (newer) throw new Error(`dist/${service}/main.mjs is older than ${newer.file}: run npm run build`);
  }
}
