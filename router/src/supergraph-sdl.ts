import {
  Kind,
  parse,
  type ConstDirectiveNode,
  type DocumentNode,
  type SchemaDefinitionNode,
  type SchemaExtensionNode,
} from 'graphql';

/** The `for: SECURITY` features this router enforces itself (see `access-requirements.ts`). */
export const ENFORCED_FEATURES = {
  authenticated: 'https://specs.apollo.dev/authenticated/v0.1',
  requiresScopes: 'https://specs.apollo.dev/requiresScopes/v0.1',
} as const;

const ENFORCED_URLS = new Set<string>(Object.values(ENFORCED_FEATURES));

/** A subgraph as the supergraph routes to it. */
export interface SubgraphEndpoint {
  name: string;
  url: string;
}

/** The `@link` (or legacy `@core`) directives on the schema definition of a supergraph. */
function linkDirectives(document: DocumentNode): ConstDirectiveNode[] {
  return document.definitions
    .filter(
      (d): d is SchemaDefinitionNode | SchemaExtensionNode =>
        d.kind === Kind.SCHEMA_DEFINITION || d.kind === Kind.SCHEMA_EXTENSION,
    )
    .flatMap((d) => d.directives ?? [])
    .filter((d) => d.name.value === 'link' || d.name.value === 'core');
}

function stringArgument(directive: ConstDirectiveNode, name: string): string | undefined {
  const arg = directive.arguments?.find((a) => a.name.value === name);
  return arg?.value.kind === Kind.STRING ? arg.value.value : undefined;
}

/** `https://specs.apollo.dev/authenticated/v0.1` of a link's url (the url without a trailing slash). */
function featureUrl(directive: ConstDirectiveNode): string | undefined {
  return (stringArgument(directive, 'url') ?? stringArgument(directive, 'feature'))?.replace(/\/$/, '');
}

/**
 * The name under which a supergraph uses the directive of an enforced feature: the link's `as`, else the
 * feature's own name (`authenticated`, `requiresScopes`). Undefined when the supergraph does not link it.
 */
export function linkedDirectiveName(
  document: DocumentNode,
  feature: keyof typeof ENFORCED_FEATURES,
): string | undefined {
  const link = linkDirectives(document).find((d) => featureUrl(d) === ENFORCED_FEATURES[feature]);
  if (!link) return undefined;
  return stringArgument(link, 'as') ?? feature;
}

/**
 * The supergraph as `@apollo/gateway` will load it. The gateway refuses any supergraph that links a
 * `for: SECURITY` feature outside its own hard-coded list (UNSUPPORTED_LINKED_FEATURE), and offers no
 * option to widen that list. So the `for:` purpose is blanked out of the `@link`s of exactly the two
 * features this router enforces (`@authenticated`, `@requiresScopes`), which the gateway then treats as
 * plain metadata; every other SECURITY/EXECUTION feature (`@policy`, `@context`, ...) stays and is still
 * refused. The directives themselves are left in place: the access plugin reads them from this text.
 *
 * Only the argument's characters are replaced by spaces (commas are insignificant in GraphQL), so line and
 * column numbers of the file stay valid in error messages. Throws a GraphQL syntax error on a file that is
 * not GraphQL.
 */
export function gatewayCompatibleSupergraph(supergraphSdl: string): string {
  const document = parse(supergraphSdl);
  const ranges: [number, number][] = [];
  for (const link of linkDirectives(document)) {
    const url = featureUrl(link);
    if (!url || !ENFORCED_URLS.has(url)) continue;
    const purpose = link.arguments?.find((a) => a.name.value === 'for');
    if (purpose?.loc) ranges.push([purpose.loc.start, purpose.loc.end]);
  }
  let result = supergraphSdl;
  for (const [start, end] of ranges.sort((a, b) => b[0] - a[0])) {
    result = result.slice(0, start) + ' '.repeat(end - start) + result.slice(end);
  }
  return result;
}

/**
 * The subgraphs a supergraph routes to: the `@join__graph(name:, url:)` values of its `join__Graph` enum,
 * in file order. Throws a GraphQL syntax error on a file that is not GraphQL.
 */
export function subgraphEndpoints(supergraphSdl: string | DocumentNode): SubgraphEndpoint[] {
  const document = typeof supergraphSdl === 'string' ? parse(supergraphSdl) : supergraphSdl;
  const endpoints: SubgraphEndpoint[] = [];
  for (const definition of document.definitions) {
    if (definition.kind !== Kind.ENUM_TYPE_DEFINITION || definition.name.value !== 'join__Graph') continue;
    for (const value of definition.values ?? []) {
      const graph = value.directives?.find((d) => d.name.value === 'join__graph');
      const name = graph && stringArgument(graph, 'name');
      const url = graph && stringArgument(graph, 'url');
      if (name && url) endpoints.push({ name, url });
    }
  }
  return endpoints;
}

/**
 * The name part of a subgraph's routing-URL override key: the subgraph's name upper-cased, every character
 * other than a letter or digit as `_` (`orders` -> `ORDERS`, `order-history` -> `ORDER_HISTORY`). Names
 * that differ only in case or punctuation share a key.
 */
export function subgraphUrlKey(name: string): string {
  return name.toUpperCase().replace(/[^A-Z0-9]/g, '_');
}

/**
 * The endpoints with their routing URLs replaced where `overrides` names the subgraph (keys compared through
 * {@link subgraphUrlKey}, so `orders`, `ORDERS` and the environment's `SUBGRAPH_URL_ORDERS` all match the
 * subgraph `orders`); the others keep the supergraph's URL.
 */
export function withSubgraphUrls(
  endpoints: readonly SubgraphEndpoint[],
  overrides: Readonly<Record<string, string>> = {},
): SubgraphEndpoint[] {
  const byKey = new Map(Object.entries(overrides).map(([name, url]) => [subgraphUrlKey(name), url]));
  return endpoints.map((e) => ({ name: e.name, url: byKey.get(subgraphUrlKey(e.name)) ?? e.url }));
}

/** The override names that match no subgraph of `endpoints` (a typo, or a subgraph since removed). */
export function unmatchedSubgraphUrls(
  endpoints: readonly SubgraphEndpoint[],
  overrides: Readonly<Record<string, string>> = {},
): string[] {
  const known = new Set(endpoints.map((e) => subgraphUrlKey(e.name)));
  return Object.keys(overrides).filter((name) => !known.has(subgraphUrlKey(name)));
}
