import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';

const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));

/** The repository's copy of the client contract (`CONTRACT.md` and `operations.graphql`). */
export const CONTRACT_DIR = `${repoRoot}schema/contract`;

/** The files of the client contract, in the copy and upstream alike. */
export const CONTRACT_FILES = ['CONTRACT.md', 'operations.graphql'] as const;

/**
 * The client contract's operations file: `$CONTRACT_OPERATIONS` when set, else the repository's copy,
 * `schema/contract/operations.graphql` (what `npm run check:schema` and every spec read).
 */
export function contractOperationsFile(env: NodeJS.ProcessEnv = process.env): string {
  return env.CONTRACT_OPERATIONS || `${CONTRACT_DIR}/operations.graphql`;
}

/**
 * Where the published contract lives when it sits beside the checkout: `$CONTRACT_UPSTREAM`, else
 * `<repo root>/../shared/api`. Only the drift check reads it; nothing else does.
 */
export function upstreamContractDir(env: NodeJS.ProcessEnv = process.env): string {
  return env.CONTRACT_UPSTREAM || `${repoRoot}../shared/api`;
}

/**
 * The repository's copy of the federation gateway benchmark's shape (bench/federation-gateway/), kept
 * the same way: compared with the published one when it sits beside the checkout.
 */
export const BENCH_SHAPE_DIR = `${repoRoot}bench/federation-gateway`;

/** The files of the benchmark shape, in the copy and upstream alike. */
export const BENCH_SHAPE_FILES = [
  'README.md',
  'data.json',
  'expected-response.json',
  'query.graphql',
] as const;

/** `$BENCH_SHAPE_UPSTREAM`, else `<repo root>/../shared/bench/federation-gateway`. */
export function upstreamBenchShapeDir(env: NodeJS.ProcessEnv = process.env): string {
  return env.BENCH_SHAPE_UPSTREAM || `${repoRoot}../shared/bench/federation-gateway`;
}

/** One contract file whose copy differs from upstream. */
export interface ContractFileDrift {
  file: string;
  /** Why: missing on one side, or the first differing line with both versions. */
  detail: string;
}

export type ContractCopyStatus =
  | { status: 'same'; files: readonly string[] }
  | { status: 'no-upstream'; upstreamDir: string }
  | { status: 'drift'; drift: ContractFileDrift[] };

async function readOrUndefined(file: string): Promise<string | undefined> {
  try {
    return await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

/** The first line at which two texts differ, both versions quoted (texts known to differ). */
function firstDifference(copy: string, upstream: string): string {
  const a = copy.split('\n');
  const b = upstream.split('\n');
  let line = 0;
  while (line < a.length && line < b.length && a[line] === b[line]) line += 1;
  const show = (text: string | undefined) => (text === undefined ? '(end of file)' : JSON.stringify(text));
  return `line ${line + 1}: copy has ${show(a[line])}, upstream has ${show(b[line])}`;
}

/**
 * Compares the repository's copy of the contract (`copyDir`) with the upstream one (`upstreamDir`), file
 * by file, byte for byte. `no-upstream` when `upstreamDir` does not exist (a clone on its own: nothing to
 * compare with); `drift` lists every file that differs or is missing on either side.
 */
export async function compareContractCopy(
  copyDir: string = CONTRACT_DIR,
  upstreamDir: string = upstreamContractDir(),
  files: readonly string[] = CONTRACT_FILES,
): Promise<ContractCopyStatus> {
  const upstream = await Promise.all(files.map((f) => readOrUndefined(`${upstreamDir}/${f}`)));
  if (upstream.every((text) => text === undefined)) return { status: 'no-upstream', upstreamDir };
  const drift: ContractFileDrift[] = [];
  for (const [i, file] of files.entries()) {
    const copy = await readOrUndefined(`${copyDir}/${file}`);
    const theirs = upstream[i];
    if (copy === theirs) continue;
    if (copy === undefined) drift.push({ file, detail: 'missing from the copy' });
    else if (theirs === undefined) drift.push({ file, detail: 'missing upstream' });
    else drift.push({ file, detail: firstDifference(copy, theirs) });
  }
  return drift.length === 0 ? { status: 'same', files } : { status: 'drift', drift };
}

/** A drift report, ready to print, naming the copy, upstream and how to bring the copy up to date. */
export function formatContractDrift(
  drift: readonly ContractFileDrift[],
  copyDir: string,
  upstreamDir: string,
  files: readonly string[] = CONTRACT_FILES,
): string {
  const lines = drift.map((d) => `  ${d.file}: ${d.detail}`);
  return [
    `the copy in ${copyDir} differs from ${upstreamDir}:`,
    ...lines,
    `copy the upstream files over (cp ${upstreamDir}/{${files.join(',')}} ${copyDir}/) and commit them with the change they need`,
  ].join('\n');
}
