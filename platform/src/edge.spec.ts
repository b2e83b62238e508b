import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from '@jest/globals';
import { build } from 'esbuild';

const here = dirname(fileURLToPath(import.meta.url));

/** The npm packages a module of the kit imports, directly or through the kit's other modules. */
async function packagesImportedBy(entry: string): Promise<Set<string>> {
  const { metafile } = await build({
    entryPoints: [join(here, entry)],
    bundle: true,
    write: false,
    platform: 'node',
    format: 'esm',
    packages: 'external',
    metafile: true,
    logLevel: 'silent',
  });
  const packages = new Set<string>();
  for (const input of Object.values(metafile.inputs)) {
    for (const { path, external, kind } of input.imports) {
      if (!external || kind === 'require-call' || path.startsWith('node:')) continue;
      const parts = path.split('/');
      packages.add(path.startsWith('@') ? `${parts[0]}/${parts[1]}` : parts[0]!);
    }
  }
  return packages;
}

describe('the kit’s edge entry (@shop/platform/edge)', () => {
  it('imports none of what only subgraphs use: MikroORM, Postgres, kafkajs, @apollo/subgraph', async () => {
    const edge = await packagesImportedBy('edge.ts');
    const whole = await packagesImportedBy('index.ts');
    const subgraphsOnly = ['@mikro-orm/core', '@mikro-orm/postgresql', 'kafkajs', '@apollo/subgraph'];
    // The whole kit does import them (the check can fail), the edge entry does not.
    for (const name of subgraphsOnly) expect(whole).toContain(name);
    expect(subgraphsOnly.filter((name) => edge.has(name))).toEqual([]);
    expect(edge).toContain('ioredis'); // what the router does use is there
  });
});
