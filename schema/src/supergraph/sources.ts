import { readFile } from 'node:fs/promises';
import type { SubgraphEntry } from './config.js';

/** A subgraph's SDL, ready to compose. */
export interface SubgraphSource {
  name: string;
  /** The routing URL recorded in the supergraph (`join__graph(url:)`). */
  url: string;
  /** The SDL file's path as shown in messages (relative to `supergraph.yaml`). */
  file: string;
  sdl: string;
}

/** One or more subgraph SDL files could not be read; `problems` says which and why. */
export class SubgraphSourceError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`cannot read subgraph schemas:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'SubgraphSourceError';
  }
}

/**
 * Reads every subgraph's SDL file, in config order.
 *
 * Throws a {@link SubgraphSourceError} naming every file that is missing or unreadable (not just the
 * first), so one run shows everything that has yet to land.
 */
export async function loadSubgraphSources(subgraphs: readonly SubgraphEntry[]): Promise<SubgraphSource[]> {
  const results = await Promise.all(subgraphs.map(readOne));
  const problems = results.filter((r): r is string => typeof r === 'string');
  if (problems.length > 0) throw new SubgraphSourceError(problems);
  return results as SubgraphSource[];
}

async function readOne(entry: SubgraphEntry): Promise<SubgraphSource | string> {
  try {
    const sdl = await readFile(entry.schemaPath, 'utf8');
    return { name: entry.name, url: entry.routingUrl, file: entry.schemaFile, sdl };
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'does not exist (yet?)' : `cannot be read (${code ?? String(error)})`;
    return `subgraph "${entry.name}": ${entry.schemaFile} ${why}`;
  }
}
