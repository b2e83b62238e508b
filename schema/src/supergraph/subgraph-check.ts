import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { buildApiSchema } from './api-schema.js';
import { composeSupergraph, formatCompositionProblems } from './composition.js';
import { contractOperationsFile } from './contract.js';
import { readSupergraphConfig } from './config.js';
import { validateOperations, type OperationResult } from './operations.js';
import { loadSubgraphSources, type SubgraphSource } from './sources.js';

const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));

/** The repo's `supergraph.yaml`: what {@link composeWith} starts from by default. */
export const REPO_SUPERGRAPH_CONFIG = `${repoRoot}supergraph.yaml`;

/** A subgraph's SDL as a spec has it (its working copy), for {@link composeWith}. */
export interface SubgraphUnderCheck {
  /** The `supergraph.yaml` key (the subgraph's folder name). */
  name: string;
  sdl: string;
}

/**
 * Composes every subgraph `supergraph.yaml` registers, with `subgraph.sdl` in place of the SDL file
 * of the subgraph of that name (added at the end when it is not registered yet), and resolves with
 * the supergraph SDL. This is how a subgraph's own spec checks that its working SDL composes with
 * everyone else's before the lead recomposes `schema/supergraph.graphql`. Messages name the SDL
 * `subgraphs/<name>/<name>.graphql` unless the config names it otherwise.
 *
 * Throws a `SupergraphConfigError` for an unusable config, a `SubgraphSourceError` when another
 * subgraph's SDL file cannot be read, and an Error listing every composition problem
 * (see `formatCompositionProblems`) when the subgraphs do not compose.
 */
export async function composeWith(
  subgraph: SubgraphUnderCheck,
  configFile: string = REPO_SUPERGRAPH_CONFIG,
): Promise<string> {
  const config = await readSupergraphConfig(configFile);
  const at = config.subgraphs.findIndex((entry) => entry.name === subgraph.name);
  const registered = config.subgraphs[at];
  const ours: SubgraphSource = {
    name: subgraph.name,
    url: registered?.routingUrl ?? `http://127.0.0.1/${subgraph.name}/graphql`,
    file: registered?.schemaFile ?? `subgraphs/${subgraph.name}/${subgraph.name}.graphql`,
    sdl: subgraph.sdl,
  };
  const others = await loadSubgraphSources(config.subgraphs.filter((entry) => entry !== registered));
  // In its registered place (config order, as `npm run compose` has it), else last.
  const sources = [...others];
  sources.splice(registered ? at : sources.length, 0, ours);
  const outcome = composeSupergraph(sources);
  if (!outcome.ok) {
    throw new Error(
      `${subgraph.name} does not compose with the other subgraphs:\n${formatCompositionProblems(outcome.problems)}`,
    );
  }
  return outcome.supergraphSdl;
}

/**
 * Validates the contract's operations called `names` against the API schema of `supergraphSdl`, and
 * resolves with one result per name, in the order of `names`: `errors` is empty when the operation
 * validates, and says `not in <file>` for a name the contract does not have. The contract is read
 * from `operationsFile` (default {@link contractOperationsFile}).
 *
 * Throws an `ApiSchemaError` when no API schema can be built from `supergraphSdl`, and an Error when
 * the contract cannot be read or has a syntax error.
 */
export async function validateContractOperations(
  supergraphSdl: string,
  names: readonly string[],
  operationsFile: string = contractOperationsFile(),
): Promise<Pick<OperationResult, 'name' | 'errors'>[]> {
  const report = validateOperations(buildApiSchema(supergraphSdl), await readFile(operationsFile, 'utf8'));
  if (!report.parsed)
    throw new Error(`${operationsFile} does not parse: ${report.documentErrors.join('; ')}`);
  return names.map((name) => {
    const found = report.operations.find((operation) => operation.name === name);
    return { name, errors: found ? found.errors : [`not in ${operationsFile}`] };
  });
}
