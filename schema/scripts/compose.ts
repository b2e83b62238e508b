/**
 * `npm run compose`: composes the subgraphs listed in supergraph.yaml and writes the supergraph SDL, with a
 * generated-file header, to schema/supergraph.graphql. Exits non-zero with a readable report, and writes
 * nothing, when the config or an SDL file is unusable, composition fails, or the result is a supergraph
 * the router could not serve (see SUPPORTED_SUPERGRAPH_FEATURES).
 */
import { writeFile } from 'node:fs/promises';
import { buildApiSchema, summarizeApiSchema } from '../src/supergraph/index.js';
import { composeFromConfig, display, reportFatal, resolvePaths } from './pipeline.js';

async function main(): Promise<void> {
  const paths = resolvePaths();
  const composed = await composeFromConfig(paths);
  const apiSchema = buildApiSchema(composed.supergraphSdl);
  await writeFile(paths.supergraphFile, composed.fileText);
  console.log(
    `composed ${composed.subgraphs.length} subgraphs (${composed.subgraphs.join(', ')}) with ` +
      `@apollo/composition ${composed.version} into ${display(paths, paths.supergraphFile)}`,
  );
  console.log(`API schema: ${summarizeApiSchema(apiSchema)}`);
  printHints(composed.hints);
}

function printHints(hints: readonly { code: string; message: string }[]): void {
  if (hints.length === 0) return;
  console.log(`${hints.length} composition hint${hints.length === 1 ? '' : 's'}:`);
  for (const hint of hints) console.log(`  - ${hint.code}: ${hint.message}`);
}

main().catch(reportFatal);
