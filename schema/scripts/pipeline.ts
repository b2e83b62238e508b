import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { dirname, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  ApiSchemaError,
  checkFederationVersion,
  compareContractCopy,
  formatContractDrift,
  compositionVersion,
  composeSupergraph,
  formatCompositionProblems,
  readSupergraphConfig,
  loadSubgraphSources,
  SubgraphSourceError,
  SupergraphConfigError,
  contractOperationsFile,
  upstreamBenchShapeDir,
  upstreamContractDir,
  BENCH_SHAPE_DIR,
  BENCH_SHAPE_FILES,
  CONTRACT_DIR,
  CONTRACT_FILES,
  withGeneratedHeader,
  type CompositionHintSummary,
} from '../src/supergraph/index.js';

/** The files the schema scripts read and write. */
export interface PipelinePaths {
  repoRoot: string;
  /** `supergraph.yaml` at the repo root, or `$SUPERGRAPH_CONFIG`. */
  configFile: string;
  /** The committed, generated `schema/supergraph.graphql`. */
  supergraphFile: string;
  /** The client contract's operations: the copy `schema/contract/operations.graphql`, or `$CONTRACT_OPERATIONS`. */
  operationsFile: string;
  /** The repository's copy of the client contract (`schema/contract/`). */
  contractDir: string;
  /** The published contract beside the checkout (`../shared/api`, or `$CONTRACT_UPSTREAM`), when present. */
  upstreamContractDir: string;
  /** The repository's copy of the gateway benchmark's shape (`bench/federation-gateway/`). */
  benchShapeDir: string;
  /** The published one beside the checkout (`../shared/bench/federation-gateway`, or `$BENCH_SHAPE_UPSTREAM`). */
  upstreamBenchShapeDir: string;
  /** `schema/pending-operations.txt`. */
  pendingFile: string;
  /** `schema/breaking-changes-allowed.txt`: the reviewed breaking changes of the API schema. */
  allowlistFile: string;
}

/** Resolves the pipeline's files from this script's location and the environment overrides. */
export function resolvePaths(env: NodeJS.ProcessEnv = process.env): PipelinePaths {
  const schemaDir = resolve(dirname(fileURLToPath(import.meta.url)), '..');
  const repoRoot = resolve(schemaDir, '..');
  return {
    repoRoot,
    configFile: resolve(env.SUPERGRAPH_CONFIG || resolve(repoRoot, 'supergraph.yaml')),
    supergraphFile: resolve(schemaDir, 'supergraph.graphql'),
    operationsFile: resolve(contractOperationsFile(env)),
    contractDir: resolve(CONTRACT_DIR),
    upstreamContractDir: resolve(upstreamContractDir(env)),
    benchShapeDir: resolve(BENCH_SHAPE_DIR),
    upstreamBenchShapeDir: resolve(upstreamBenchShapeDir(env)),
    pendingFile: resolve(schemaDir, 'pending-operations.txt'),
    allowlistFile: resolve(schemaDir, 'breaking-changes-allowed.txt'),
  };
}

/** A path for messages: relative to the repo root when inside it or beside it, absolute otherwise. */
export function display(paths: PipelinePaths, file: string): string {
  const shown = relative(paths.repoRoot, file);
  return shown === '' || shown.startsWith('../..') ? file : shown;
}

/** A successful composition, with the exact text `schema/supergraph.graphql` should hold. */
export interface Composed {
  subgraphs: string[];
  version: string;
  supergraphSdl: string;
  fileText: string;
  hints: CompositionHintSummary[];
}

/** The pipeline cannot go on; `report` says why, ready to print. */
export class PipelineFailure extends Error {
  constructor(readonly report: string) {
    super(report);
    this.name = 'PipelineFailure';
  }
}

/**
 * Reads `supergraph.yaml` and the subgraph SDL files and composes them. Throws a {@link PipelineFailure}
 * with a readable report for an unusable config, a missing SDL file, a `federation_version` pin the
 * installed composition does not satisfy, or composition errors.
 */
export async function composeFromConfig(paths: PipelinePaths): Promise<Composed> {
  const config = await readSupergraphConfig(paths.configFile);
  const version = compositionVersion();
  const mismatch = checkFederationVersion(config.federationVersion, version);
  if (mismatch) throw new PipelineFailure(`${mismatch}; align the two.`);
  const sources = await loadSubgraphSources(config.subgraphs);
  const outcome = composeSupergraph(sources);
  const subgraphs = config.subgraphs.map((s) => s.name);
  if (!outcome.ok) {
    const count = outcome.problems.length;
    const header = `composition of ${subgraphs.join(', ')} failed with ${count} error${count === 1 ? '' : 's'}:`;
    throw new PipelineFailure(`${header}\n${formatCompositionProblems(outcome.problems)}`);
  }
  const fileText = withGeneratedHeader(outcome.supergraphSdl, version);
  return { subgraphs, version, supergraphSdl: outcome.supergraphSdl, fileText, hints: outcome.hints };
}

/** The file's text, or `undefined` when it does not exist. Other read errors propagate. */
export async function readIfPresent(file: string): Promise<string | undefined> {
  try {
    return await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

/**
 * The text of `file` (inside the repository) at git revision `ref`, as `git show <ref>:<file>` prints it,
 * run in the repository root. Throws a {@link PipelineFailure} with git's message when the ref is unknown
 * (in CI: a shallow clone, fetch with `fetch-depth: 0`) or the file does not exist there.
 */
export function readAtRevision(paths: PipelinePaths, ref: string, file: string): Promise<string> {
  const path = relative(paths.repoRoot, file);
  return new Promise((resolveText, reject) => {
    execFile(
      'git',
      ['show', `${ref}:./${path}`],
      { cwd: paths.repoRoot, maxBuffer: 64 * 1024 * 1024 },
      (error, stdout, stderr) => {
        if (!error) resolveText(stdout);
        else reject(new PipelineFailure(`cannot read ${path} at ${ref}: ${stderr.trim() || error.message}`));
      },
    );
  });
}

/** Prints a fatal error (known failures by message, anything else with its stack) and sets exit code 1. */
export function reportFatal(error: unknown): void {
  const known = [PipelineFailure, SupergraphConfigError, SubgraphSourceError, ApiSchemaError];
  const readable = known.some((kind) => error instanceof kind);
  console.error(readable ? (error as Error).message : error);
  process.exitCode = 1;
}

/**
 * Compares the repository's copies of published files with their originals beside the checkout and
 * prints the outcome: `schema/contract/` (the client contract) and `bench/federation-gateway/` (the
 * gateway benchmark's shape). Resolves with the failures: a drift report for each copy that differs;
 * with `requireUpstream`, also for each original that is missing (a clone on its own passes otherwise:
 * there is nothing to drift from).
 */
export async function checkContractCopy(
  paths: PipelinePaths,
  options: { requireUpstream?: boolean } = {},
): Promise<string[]> {
  const copies = [
    {
      what: 'contract copy',
      original: 'published contract',
      dir: paths.contractDir,
      upstreamDir: paths.upstreamContractDir,
      files: CONTRACT_FILES,
    },
    {
      what: 'benchmark shape copy',
      original: 'published benchmark shape',
      dir: paths.benchShapeDir,
      upstreamDir: paths.upstreamBenchShapeDir,
      files: BENCH_SHAPE_FILES,
    },
  ];
  const failures: string[] = [];
  for (const { what, original, dir, upstreamDir, files } of copies) {
    const copy = display(paths, dir);
    const upstream = display(paths, upstreamDir);
    const outcome = await compareContractCopy(dir, upstreamDir, files);
    switch (outcome.status) {
      case 'same':
        console.log(`${what}: ${copy} matches ${upstream} (${outcome.files.join(', ')})`);
        break;
      case 'no-upstream':
        if (options.requireUpstream) failures.push(`no ${original} at ${upstream} to compare ${copy} with`);
        else console.log(`${what}: no ${original} at ${upstream}; ${copy} stands on its own`);
        break;
      case 'drift':
        failures.push(formatContractDrift(outcome.drift, copy, upstream, files));
    }
  }
  return failures;
}
