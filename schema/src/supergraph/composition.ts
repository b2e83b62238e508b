import { createRequire } from 'node:module';
import { composeServices } from '@apollo/composition';
import { errorCauses, type ServiceDefinition } from '@apollo/federation-internals';
import { getLocation, GraphQLError, parse, Source, type ASTNode, type DocumentNode } from 'graphql';
import type { SubgraphSource } from './sources.js';

/** One composition error in a form a person can act on. */
export interface CompositionProblem {
  /** Federation's error code, e.g. `FIELD_TYPE_MISMATCH`; `GRAPHQL_PARSE_FAILED` for an SDL syntax error. */
  code: string;
  /** The error message, without the `[subgraph]` prefix federation sometimes adds. */
  message: string;
  /** The subgraphs involved, in config order (may be empty when federation does not say). */
  subgraphs: string[];
  /** `file:line:column` of the SDL definitions involved. */
  locations: string[];
}

/** A composition hint (a warning that does not stop composition). */
export interface CompositionHintSummary {
  code: string;
  message: string;
}

/** The result of {@link composeSupergraph}: the supergraph SDL or every problem found. */
export type CompositionOutcome =
  | { ok: true; supergraphSdl: string; hints: CompositionHintSummary[] }
  | { ok: false; problems: CompositionProblem[] };

/**
 * Composes the subgraphs into a supergraph with `@apollo/composition`, as rover would.
 *
 * Never throws for a bad schema: SDL syntax errors (reported for every subgraph at once, before composing)
 * and composition errors come back as `{ ok: false, problems }`, each with its code, the subgraphs
 * involved and the SDL locations. Only an unexpected internal failure of the composition library throws.
 */
export function composeSupergraph(sources: readonly SubgraphSource[]): CompositionOutcome {
  const parsed = sources.map(parseSubgraph);
  const parseProblems = parsed.filter((p): p is CompositionProblem => 'code' in p);
  if (parseProblems.length > 0) return { ok: false, problems: parseProblems };
  const result = runComposition(parsed as ServiceDefinition[]);
  if (result.errors) return { ok: false, problems: result.errors.map((e) => describeError(e, sources)) };
  const hints = result.hints.map((h) => ({ code: h.definition.code, message: h.message }));
  return { ok: true, supergraphSdl: result.supergraphSdl, hints };
}

function parseSubgraph(source: SubgraphSource): ServiceDefinition | CompositionProblem {
  try {
    const typeDefs: DocumentNode = parse(new Source(source.sdl, source.file));
    return { name: source.name, url: source.url, typeDefs };
  } catch (error) {
    if (!(error instanceof GraphQLError)) throw error;
    const where = error.locations?.[0];
    const location = where ? [`${source.file}:${where.line}:${where.column}`] : [];
    return {
      code: 'GRAPHQL_PARSE_FAILED',
      message: error.message,
      subgraphs: [source.name],
      locations: location,
    };
  }
}

function runComposition(services: ServiceDefinition[]): ReturnType<typeof composeServices> {
  try {
    return composeServices(services);
  } catch (error) {
    const causes = error instanceof Error ? errorCauses(error) : undefined;
    if (!causes) throw error;
    return { errors: causes };
  }
}

function describeError(error: GraphQLError, sources: readonly SubgraphSource[]): CompositionProblem {
  const code = typeof error.extensions.code === 'string' ? error.extensions.code : 'COMPOSITION_ERROR';
  const message = error.message.replace(/^\[[^\]]+\]\s*/, '');
  return { code, message, subgraphs: subgraphsOf(error, sources), locations: locationsOf(error.nodes ?? []) };
}

/**
 * The subgraphs an error names: those its AST nodes come from, its `[name]` message prefix, and any
 * subgraph name quoted in its message (`in subgraph "users"`).
 */
function subgraphsOf(error: GraphQLError, sources: readonly SubgraphSource[]): string[] {
  const involved = new Set<string>();
  const byFile = new Map(sources.map((s) => [s.file, s.name]));
  for (const node of error.nodes ?? []) {
    const tagged = (node as { subgraph?: unknown }).subgraph;
    if (typeof tagged === 'string') involved.add(tagged);
    const fromFile = node.loc ? byFile.get(node.loc.source.name) : undefined;
    if (fromFile) involved.add(fromFile);
  }
  const prefix = /^\[([^\]]+)\]/.exec(error.message)?.[1];
  if (prefix) involved.add(prefix);
  for (const { name } of sources) if (error.message.includes(`"${name}"`)) involved.add(name);
  return sources.map((s) => s.name).filter((name) => involved.has(name));
}

function locationsOf(nodes: readonly ASTNode[]): string[] {
  const locations = nodes.flatMap((node) => {
    if (!node.loc) return [];
    const { line, column } = getLocation(node.loc.source, node.loc.start);
    return [`${node.loc.source.name}:${line}:${column}`];
  });
  return [...new Set(locations)];
}

/**
 * Renders problems as an indented, numbered list: code, subgraphs, message, then the SDL locations.
 * Returns an empty string for no problems.
 */
export function formatCompositionProblems(problems: readonly CompositionProblem[]): string {
  return problems
    .map((problem, index) => {
      const who = problem.subgraphs.length > 0 ? ` [${problem.subgraphs.join(', ')}]` : '';
      const where = problem.locations.map((l) => `\n       at ${l}`).join('');
      return `  ${index + 1}. ${problem.code}${who}: ${problem.message}${where}`;
    })
    .join('\n');
}

/** The installed `@apollo/composition` version (from its package.json). */
export function compositionVersion(): string {
  const require = createRequire(import.meta.url);
  return (require('@apollo/composition/package.json') as { version: string }).version;
}

/**
 * The comment block written at the top of `schema/supergraph.graphql`. It holds no timestamp, so the same
 * inputs always give the same file (the drift check relies on that).
 */
export function generatedHeader(version: string): string {
  return [
    '# GENERATED FILE: do not edit. Run `npm run compose` to regenerate it from supergraph.yaml',
    `# and the subgraph SDL files it lists (composed with @apollo/composition ${version}).`,
  ].join('\n');
}

/** The supergraph SDL as written to disk: {@link generatedHeader}, a blank line, the SDL, a final newline. */
export function withGeneratedHeader(supergraphSdl: string, version: string): string {
  return `${generatedHeader(version)}\n\n${supergraphSdl.trimEnd()}\n`;
}
