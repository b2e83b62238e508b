/**
 * `npm run check:contract [-- --require]`: compares the repository's copy of the client contract
 * (schema/contract/) with the published one beside the checkout (../shared/api, or $CONTRACT_UPSTREAM),
 * byte for byte, and exits 1 with the first differing line of each file when they differ. Without a
 * published contract beside the checkout it passes (the copy is the contract), unless `--require` is
 * given: then a missing upstream fails too, so a CI step that must compare cannot pass vacuously.
 * `npm run check:schema` runs the same comparison.
 */
import { checkContractCopy, reportFatal, resolvePaths } from './pipeline.js';

async function main(): Promise<void> {
  const failures = await checkContractCopy(resolvePaths(), {
    requireUpstream: process.argv.includes('--require'),
  });
  for (const failure of failures) console.error(failure);
  if (failures.length > 0) process.exitCode = 1;
}

main().catch(reportFatal);
