/**
 * `npm run check:schema [-- --base <git ref>] [--verbose]` (`--verbose` shows why each pending operation
 * still fails). Exits 1 with a readable report when:
 *   (a) supergraph.yaml or a subgraph SDL file is unusable, or composition fails;
 *   (b) schema/supergraph.graphql differs from a fresh composition (run npm run compose);
 *   (c) an operation of the client contract (schema/contract/operations.graphql, or $CONTRACT_OPERATIONS)
 *       does not validate against the API schema, unless schema/pending-operations.txt lists it; a listed
 *       operation that validates now, or a listed name that is no contract operation, fails too;
 *   (c') an operation of the storefront (every .graphql document under web/src, taken as one) does not
 *       validate against the API schema: the storefront sends nothing else, so nothing is pending there;
 *   (d) the contract copy in schema/contract/ differs from the published contract beside the checkout
 *       (../shared/api, or $CONTRACT_UPSTREAM) where one exists (see check-contract.ts);
 *   (e) with --base: the API schema has a breaking change against the API schema of
 *       schema/supergraph.graphql at that ref that schema/breaking-changes-allowed.txt does not list, or
 *       the allowlist lists a change that is not one of them (or is malformed, with or without --base).
 * The pending list and an "N operations validate, M pending" summary are printed on every run; with
 * --base, so are the breaking, dangerous and safe changes.
 */
import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  ApiSchemaError,
  buildApiSchema,
  detectDrift,
  diffApiSchemas,
  formatSchemaChanges,
  judgeSchemaChanges,
  parseBreakingChangesAllowlist,
  formatDrift,
  formatPendingLine,
  judgeContract,
  parsePendingList,
  summarizeVerdict,
  validateDocuments,
  validateOperations,
  type ContractVerdict,
} from '../src/supergraph/index.js';
import {
  checkContractCopy,
  composeFromConfig,
  display,
  PipelineFailure,
  readAtRevision,
  readIfPresent,
  reportFatal,
  resolvePaths,
  type Composed,
  type PipelinePaths,
} from './pipeline.js';

async function main(): Promise<void> {
  const paths = resolvePaths();
  const { base, verbose } = parseArguments(process.argv.slice(2));
  const pendingFile = display(paths, paths.pendingFile);
  const pending = parsePendingList((await readIfPresent(paths.pendingFile)) ?? '', pendingFile);
  console.log(formatPendingLine(pending.names));
  const composed = await composeFromConfig(paths);
  console.log(`composition: ok (${composed.subgraphs.length} subgraphs: ${composed.subgraphs.join(', ')})`);
  const failures = [
    ...pending.problems,
    ...(await checkDrift(paths, composed)),
    ...(await checkContractCopy(paths)),
  ];
  const verdict = await checkContract(paths, composed, pending.names);
  failures.push(
    ...verdict.failures,
    ...(await checkStorefront(paths, composed)),
    ...(await checkBreakingChanges(paths, composed, base)),
  );
  if (verbose) printStillPending(verdict);
  if (failures.length > 0) printFailures(failures);
  console.log(summarizeVerdict(verdict));
  if (failures.length === 0) {
    console.log('schema check passed');
    return;
  }
  console.log(`schema check failed (${failures.length} problem${failures.length === 1 ? '' : 's'})`);
  process.exitCode = 1;
}

async function checkDrift(paths: PipelinePaths, composed: Composed): Promise<string[]> {
  const file = display(paths, paths.supergraphFile);
  const drift = formatDrift(detectDrift(await readIfPresent(paths.supergraphFile), composed.fileText), file);
  if (drift) return [drift];
  console.log(`${file}: up to date`);
  return [];
}

async function checkContract(
  paths: PipelinePaths,
  composed: Composed,
  pending: readonly string[],
): Promise<ContractVerdict> {
  const operationsFile = display(paths, paths.operationsFile);
  const operationsText = await readIfPresent(paths.operationsFile);
  if (operationsText === undefined) {
    throw new PipelineFailure(
      `cannot find the client contract at ${paths.operationsFile} (CONTRACT_OPERATIONS)`,
    );
  }
  const report = validateOperations(buildApiSchema(composed.supergraphSdl), operationsText, operationsFile);
  console.log(`contract: ${report.operations.length} operations in ${operationsFile}`);
  return judgeContract(report, pending, { operationsFile, pendingFile: display(paths, paths.pendingFile) });
}

/** Every operation in the storefront's documents (web/src/**\/*.graphql) validates; none is pending. */
async function checkStorefront(paths: PipelinePaths, composed: Composed): Promise<string[]> {
  const dir = join(paths.repoRoot, 'web', 'src');
  // A checkout without a storefront (the pipeline's own specs copy only the schema) has nothing to check.
  if (!existsSync(dir)) {
    console.log('storefront: none (no web/src)');
    return [];
  }
  const files = (await readdir(dir, { recursive: true }))
    .filter((file) => file.endsWith('.graphql'))
    .sort()
    .map((file) => join(dir, file));
  const documents = await Promise.all(
    files.map(async (file) => ({ name: display(paths, file), text: await readFile(file, 'utf8') })),
  );
  const report = validateDocuments(buildApiSchema(composed.supergraphSdl), documents);
  console.log(`storefront: ${report.operations.length} operations in ${files.length} files under web/src`);
  return [
    ...report.documentErrors.map((error) => `storefront: ${error}`),
    ...report.operations
      .filter((op) => op.errors.length > 0)
      .map(
        (op) =>
          `storefront ${op.operation} ${op.name} does not validate:\n${op.errors.map((e) => `  - ${e}`).join('\n')}`,
      ),
  ];
}

/** `--base <ref>` (or `--base=<ref>`) and `--verbose`; anything else is refused. */
function parseArguments(args: readonly string[]): { base?: string; verbose: boolean } {
  let base: string | undefined;
  let verbose = false;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === '--verbose') verbose = true;
    else if (arg === '--base' || arg.startsWith('--base=')) {
      base = arg === '--base' ? args[++i] : arg.slice('--base='.length);
      // A ref starting with '-' would reach git as an option.
      if (!base || base.startsWith('-'))
        throw new PipelineFailure('--base needs a git ref, e.g. --base origin/main');
    } else
      throw new PipelineFailure(
        `unknown argument ${arg} (usage: check-schema [--base <git ref>] [--verbose])`,
      );
  }
  return { ...(base ? { base } : {}), verbose };
}

/**
 * The allowlist's own problems always; with a base ref, the breaking changes of the composed API schema
 * against the committed supergraph's at that ref that the allowlist does not list, and the entries that
 * match none. Prints every change.
 */
async function checkBreakingChanges(paths: PipelinePaths, composed: Composed, base: string | undefined) {
  const allowlistFile = display(paths, paths.allowlistFile);
  const allowlist = parseBreakingChangesAllowlist(
    (await readIfPresent(paths.allowlistFile)) ?? '',
    allowlistFile,
  );
  if (base === undefined) {
    console.log('API schema changes: not compared (add -- --base <git ref>)');
    return allowlist.problems;
  }
  const supergraphFile = display(paths, paths.supergraphFile);
  const baseSdl = await readAtRevision(paths, base, paths.supergraphFile);
  let baseSchema;
  try {
    baseSchema = buildApiSchema(baseSdl);
  } catch (error) {
    if (!(error instanceof ApiSchemaError)) throw error;
    throw new PipelineFailure(`${supergraphFile} at ${base}: ${error.message}`);
  }
  const changes = await diffApiSchemas(baseSchema, buildApiSchema(composed.supergraphSdl));
  const verdict = judgeSchemaChanges(changes, allowlist.entries, { base, allowlistFile });
  for (const line of formatSchemaChanges(verdict, `${base} (${supergraphFile})`)) console.log(line);
  return [...allowlist.problems, ...verdict.failures];
}

function printStillPending(verdict: ContractVerdict): void {
  for (const op of verdict.stillPending) {
    console.log(`  ${op.name} (pending):\n${op.errors.map((e) => `    - ${e}`).join('\n')}`);
  }
}

/** Numbered, with each failure's continuation lines indented under its first line. */
function printFailures(failures: readonly string[]): void {
  const items = failures.map((failure, i) => `  ${i + 1}. ${failure.replace(/\n/g, '\n     ')}`);
  console.log(`\nFAILED:\n${items.join('\n')}\n`);
}

main().catch(reportFatal);
