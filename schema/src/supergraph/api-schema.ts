import { DEFAULT_SUPPORTED_SUPERGRAPH_FEATURES, errorCauses, Supergraph } from '@apollo/federation-internals';
import { isIntrospectionType, type GraphQLError, type GraphQLObjectType, type GraphQLSchema } from 'graphql';

/**
 * The `@link`ed features a supergraph may use: federation's defaults plus the security features our
 * router enforces (`@authenticated`, `@requiresScopes`). A supergraph linking any other `for: SECURITY`
 * or `for: EXECUTION` feature (`@policy`, `@context`, ...) is refused, because nothing would enforce it.
 */
export const SUPPORTED_SUPERGRAPH_FEATURES: ReadonlySet<string> = new Set([
  ...DEFAULT_SUPPORTED_SUPERGRAPH_FEATURES,
  'https://specs.apollo.dev/authenticated/v0.1',
  'https://specs.apollo.dev/requiresScopes/v0.1',
]);

/** A supergraph SDL from which no API schema can be built; `problems` holds federation's messages. */
export class ApiSchemaError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`cannot build the API schema from the supergraph:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ApiSchemaError';
  }
}

/**
 * Builds the API schema (what clients see: no `join__`/`link__` machinery, no `@inaccessible` elements)
 * of a supergraph SDL, as a graphql-js schema.
 *
 * Throws an {@link ApiSchemaError} when the SDL is not a valid supergraph or links a feature outside
 * `supportedFeatures` (federation's `UNSUPPORTED_LINKED_FEATURE`).
 */
export function buildApiSchema(
  supergraphSdl: string,
  supportedFeatures: ReadonlySet<string> = SUPPORTED_SUPERGRAPH_FEATURES,
): GraphQLSchema {
  try {
    const supergraph = Supergraph.build(supergraphSdl, { supportedFeatures: new Set(supportedFeatures) });
    return supergraph.apiSchema().toGraphQLJSSchema();
  } catch (error) {
    const causes = error instanceof Error ? errorCauses(error) : undefined;
    if (!causes) throw error;
    throw new ApiSchemaError(causes.map(describeCause));
  }
}

function describeCause(cause: GraphQLError): string {
  if (cause.extensions.code !== 'UNSUPPORTED_LINKED_FEATURE') return cause.message;
  return `${cause.message} (the router enforces only @authenticated and @requiresScopes; see SUPPORTED_SUPERGRAPH_FEATURES)`;
}

/**
 * A one-line description of an API schema: its number of named types (introspection types excluded)
 * and the field count of each root type, e.g. `24 types; Query 9 fields, Mutation 12, no Subscription`.
 */
export function summarizeApiSchema(schema: GraphQLSchema): string {
  const types = Object.values(schema.getTypeMap()).filter((type) => !isIntrospectionType(type));
  const roots: [string, GraphQLObjectType | null | undefined][] = [
    ['Query', schema.getQueryType()],
    ['Mutation', schema.getMutationType()],
    ['Subscription', schema.getSubscriptionType()],
  ];
  const rootSummary = roots.map(([name, type]) =>
    type ? `${name} ${Object.keys(type.getFields()).length} fields` : `no ${name}`,
  );
  return `${types.length} types; ${rootSummary.join(', ')}`;
}
