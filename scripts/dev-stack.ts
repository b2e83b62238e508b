/**
 * `npm start` / `npm stop` for the application processes (scripts/start.sh brings up the
 * infrastructure first). `up` starts every subgraph and the router detached, loads the demo
 * catalog when the catalog is empty or incomplete, and prints where everything listens.
 */
import { DEV_ADMIN, startStack, stopDetachedStack } from './stack.js';
import { seedCatalog } from './seed.js';

const command = process.argv[2];
if (command === 'down') {
  const stopped = await stopDetachedStack();
  console.log(stopped.length ? `stopped: ${stopped.join(', ')}` : 'nothing was running');
} else if (command === 'up') {
  await stopDetachedStack();
  const stack = await startStack({ detached: true, storefront: true });
  const summary = await seedCatalog(stack.routerUrl, DEV_ADMIN);
  console.log(
    summary.productsCreated || summary.categoriesCreated
      ? `Seeded the demo catalog: ${summary.categoriesCreated} categories and ${summary.productsCreated} products created (${summary.productsTotal} products in all).`
      : `Demo catalog already loaded (${summary.productsTotal} products); nothing changed.`,
  );
  console.log('\nThe stack is up:');
  for (const [name, url] of Object.entries(stack.subgraphUrls)) console.log(`  ${name.padEnd(16)} ${url}`);
  console.log(`  ${'router'.padEnd(16)} ${stack.routerUrl}`);
  console.log(`  ${'storefront'.padEnd(16)} ${stack.storefrontUrl}`);
  console.log(`\nStorefront:     ${stack.storefrontUrl}`);
  console.log(`Apollo Sandbox: ${stack.routerUrl.replace(/\/graphql$/, '/')}`);
  console.log(`Admin (development): ${DEV_ADMIN.email} / ${DEV_ADMIN.password}`);
  console.log('Logs: .local/stack/dev/<service>.log   Stop: npm stop');
  process.exit(0);
} else {
  console.error('usage: dev-stack.ts up|down');
  process.exit(2);
}
