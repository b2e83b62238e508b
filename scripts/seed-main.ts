/**
 * The demo seed as a one-shot job (the `seed` service of docker-compose.yml, image
 * `shop-seed`): loads the demo catalog through the router (scripts/seed.ts, idempotent) and exits
 * 0, or 1 when it could not within SEED_TIMEOUT_SECONDS. `npm run build -- seed` bundles it into
 * dist/seed/main.mjs like a service.
 *
 * Environment: ROUTER_URL (default http://127.0.0.1:4000/graphql), ADMIN_EMAIL and ADMIN_PASSWORD
 * (required: the admin auth bootstraps), SEED_TIMEOUT_SECONDS (default 120). Failed attempts (the
 * router or a subgraph not answering yet) are retried with a growing pause; loading twice changes
 * nothing, so a retry after a half-done attempt only adds what is missing.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { seedCatalog } from './seed.js';

const routerUrl = process.env.ROUTER_URL ?? 'http://127.0.0.1:4000/graphql';
const email = process.env.ADMIN_EMAIL;
const password = process.env.ADMIN_PASSWORD;
const timeoutSeconds = Number(process.env.SEED_TIMEOUT_SECONDS ?? 120);

if (!email || !password || !(timeoutSeconds > 0)) {
  console.error(
    'seed: ADMIN_EMAIL and ADMIN_PASSWORD are required; SEED_TIMEOUT_SECONDS must be a positive number',
  );
  process.exit(2);
}

const deadline = Date.now() + timeoutSeconds * 1000;
for (let attempt = 1, pauseMs = 1000; ; attempt++, pauseMs = Math.min(pauseMs * 2, 10_000)) {
  try {
    const summary = await seedCatalog(routerUrl, { email, password });
    console.log(
      `seed: ${summary.categoriesCreated} categories and ${summary.productsCreated} products created ` +
        `(${summary.productsTotal} products in all) through ${routerUrl}`,
    );
    process.exit(0);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    if (Date.now() + pauseMs > deadline) {
      console.error(`seed: giving up after ${attempt} attempt(s): ${reason}`);
      process.exit(1);
    }
    console.error(`seed: attempt ${attempt} failed (${reason}); retrying in ${pauseMs} ms`);
    await sleep(pauseMs);
  }
}
