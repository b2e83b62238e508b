/**
 * Sets the images an environment runs, for cd.yml after it pushed them:
 *
 *   tsx argocd/scripts/bump.ts --environment staging --registry ghcr.io/<owner> --tag <commit sha>
 *   tsx argocd/scripts/bump.ts --environment production --registry ghcr.io/<owner> --tag v1.4.0 --chart-revision v1.4.0
 *
 * Edits argocd/environments/<environment>/values.yaml (global.image.registry and tag) and, with
 * --chart-revision, environment.yaml (chartRevision), keeping their comments. Prints what changed, or that
 * nothing did; exits 2 on a usage error and 1 on an invalid value.
 */
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { bumpEnvironment, ENVIRONMENTS_DIR, readEnvironments } from '../src/environments.js';

function main(): void {
  let values;
  try {
    ({ values } = parseArgs({
      options: {
        environment: { type: 'string' },
        registry: { type: 'string' },
        tag: { type: 'string' },
        'chart-revision': { type: 'string' },
      },
      strict: true,
    }));
  } catch (error) {
    usage((error as Error).message);
  }
  const { environment, registry, tag } = values;
  if (!environment || !registry || !tag) usage('--environment, --registry and --tag are required');
  const known = readEnvironments().map((e) => e.name);
  if (!known.includes(environment)) usage(`unknown environment ${environment} (${known.join(', ')})`);
  const chartRevision = values['chart-revision'];
  const changed = bumpEnvironment(join(ENVIRONMENTS_DIR, environment), {
    registry,
    tag,
    ...(chartRevision ? { chartRevision } : {}),
  });
  console.log(
    changed.length === 0
      ? `${environment}: already runs ${registry}/shop-<service>:${tag}`
      : `${environment}: set ${changed.join(', ')} (${registry}/shop-<service>:${tag}${chartRevision ? `, chart ${chartRevision}` : ''})`,
  );
}

function usage(message: string): never {
  console.error(
    `bump: ${message}\nusage: bump --environment <name> --registry <registry> --tag <tag> [--chart-revision <ref>]`,
  );
  process.exit(2);
}

try {
  main();
} catch (error) {
  console.error(`bump: ${(error as Error).message}`);
  process.exitCode = 1;
}
