import { readFile } from 'node:fs/promises';
import { dirname, relative, resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';

/** One subgraph as `supergraph.yaml` declares it. */
export interface SubgraphEntry {
  /** The `subgraphs:` key; also the subgraph's folder, package and service name. */
  name: string;
  /** Where the router sends this subgraph's fetches (`routing_url`). */
  routingUrl: string;
  /** The SDL file (`schema.file`) relative to the folder of `supergraph.yaml`, normalised (`subgraphs/auth/auth.graphql`). */
  schemaFile: string;
  /** The SDL file as an absolute path. */
  schemaPath: string;
}

/** The parsed content of `supergraph.yaml` (rover's supergraph config format, `file` schemas only). */
export interface SupergraphConfig {
  /** `federation_version` as written (`=2.14.4`, `2`), when present. */
  federationVersion?: string;
  /** The subgraphs in file order. */
  subgraphs: SubgraphEntry[];
}

/** A `supergraph.yaml` that cannot be used; `problems` lists every reason, one sentence each. */
export class SupergraphConfigError extends Error {
  constructor(
    readonly file: string,
    readonly problems: readonly string[],
  ) {
    super(`${file} is not a usable supergraph config:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'SupergraphConfigError';
  }
}

type YamlMap = Record<string, unknown>;

const isMap = (value: unknown): value is YamlMap =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * Parses the text of a rover-style `supergraph.yaml`. `baseDir` is the folder the file lives in: schema
 * files are resolved against it, as rover does. Only `schema.file` sources are supported (no
 * `subgraph_url` introspection, no `graphref`).
 *
 * Throws a {@link SupergraphConfigError} listing every problem found (bad YAML, no subgraphs, a subgraph
 * without a valid `routing_url` or `schema.file`), never a partial config. `displayName` names the file in
 * that error.
 */
export function parseSupergraphConfig(
  yamlText: string,
  baseDir: string,
  displayName = 'supergraph.yaml',
): SupergraphConfig {
  const document = parseYamlOrThrow(yamlText, displayName);
  if (!isMap(document)) {
    throw new SupergraphConfigError(displayName, ['the file must be a mapping with a `subgraphs:` key']);
  }
  const problems: string[] = [];
  const federationVersion = readFederationVersion(document.federation_version, problems);
  const subgraphs = readSubgraphs(document.subgraphs, baseDir, problems);
  if (problems.length > 0) throw new SupergraphConfigError(displayName, problems);
  return federationVersion === undefined ? { subgraphs } : { federationVersion, subgraphs };
}

/**
 * Reads and parses `supergraph.yaml` at `path` (see {@link parseSupergraphConfig}). Throws a
 * {@link SupergraphConfigError} when the file is missing or unusable.
 */
export async function readSupergraphConfig(path: string): Promise<SupergraphConfig> {
  const text = await readFile(path, 'utf8').catch((error: NodeJS.ErrnoException) => {
    throw new SupergraphConfigError(path, [`cannot read it (${error.code ?? error.message})`]);
  });
  const shown = relative(process.cwd(), path);
  return parseSupergraphConfig(text, dirname(path), shown === '' || shown.startsWith('../..') ? path : shown);
}

function parseYamlOrThrow(yamlText: string, displayName: string): unknown {
  try {
    return parseYaml(yamlText);
  } catch (error) {
    throw new SupergraphConfigError(displayName, [`invalid YAML: ${(error as Error).message}`]);
  }
}

function readFederationVersion(value: unknown, problems: string[]): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'string' || typeof value === 'number') return String(value);
  problems.push('`federation_version` must be a string such as "=2.14.4"');
  return undefined;
}

function readSubgraphs(value: unknown, baseDir: string, problems: string[]): SubgraphEntry[] {
  if (!isMap(value) || Object.keys(value).length === 0) {
    problems.push('`subgraphs:` must map at least one subgraph name to its routing_url and schema');
    return [];
  }
  return Object.entries(value).flatMap(([name, entry]) => {
    const found = readSubgraph(name, entry, baseDir);
    if (typeof found === 'string') {
      problems.push(found);
      return [];
    }
    return [found];
  });
}

/** Returns the entry, or one sentence saying what is wrong with it. */
function readSubgraph(name: string, entry: unknown, baseDir: string): SubgraphEntry | string {
  if (!isMap(entry)) return `subgraph "${name}" must be a mapping with routing_url and schema.file`;
  const routingUrl = entry.routing_url;
  if (typeof routingUrl !== 'string' || !URL.canParse(routingUrl)) {
    return `subgraph "${name}" needs a routing_url that is an absolute URL`;
  }
  const schema = entry.schema;
  if (!isMap(schema) || typeof schema.file !== 'string' || schema.file.trim() === '') {
    const other = isMap(schema) ? Object.keys(schema).join(', ') : '';
    const hint = other ? ` (found ${other}; only local files are supported here)` : '';
    return `subgraph "${name}" needs schema.file, the path of its SDL file${hint}`;
  }
  const schemaPath = resolve(baseDir, schema.file);
  return { name, routingUrl, schemaFile: relative(baseDir, schemaPath), schemaPath };
}

/**
 * Checks a `federation_version` pin against the installed `@apollo/composition` version, with rover's
 * meaning: `=2.14.4` is that exact version, `2` or `2.14` any version with that prefix.
 *
 * Returns one sentence explaining the mismatch, or `undefined` when the pin is absent or satisfied.
 */
export function checkFederationVersion(pinned: string | undefined, installed: string): string | undefined {
  if (pinned === undefined) return undefined;
  const wanted = pinned.trim().replace(/^=/, '').replace(/^v/, '');
  const exact = pinned.trim().startsWith('=');
  const matches = exact ? installed === wanted : (installed + '.').startsWith(wanted + '.');
  if (matches) return undefined;
  return `supergraph.yaml pins federation_version ${pinned}, but @apollo/composition ${installed} is installed`;
}
