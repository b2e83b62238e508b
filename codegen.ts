import type { CodegenConfig } from '@graphql-codegen/cli';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { printSchema } from 'graphql';
import { buildApiSchema } from './schema/src/supergraph/api-schema.js';

// Typed resolvers for every subgraph that has an SDL file: subgraphs/<name>/<name>.graphql ->
// subgraphs/<name>/src/__generated__/resolvers-types.ts. Each subgraph exports its request
// context type as `Context` from src/context.ts.
const subgraphs = readdirSync('subgraphs').filter((name) => existsSync(`subgraphs/${name}/${name}.graphql`));

/** An entity this subgraph only references or extends: its resolvers get and return just the key. */
const reference = '{ id: string }';

/**
 * Per subgraph, the TypeScript type its resolvers receive as the parent of a GraphQL object type
 * (and return where the schema has that type). Paths are relative to src/__generated__/. A type
 * left out is built by the resolvers in its generated GraphQL shape (money, page info, a
 * payment, a stock level as a Product...), so that shape is its parent type.
 */
const mappers: Record<string, Record<string, string>> = {
  auth: {
    User: '../account.entity.js#Account',
    AuthPayload: '../account.service.js#SignedIn',
    SessionTokens: '../session.service.js#SessionTokens',
  },
  users: {
    User: '../user.service.js#Profile',
    Address: '../address.entity.js#Address',
  },
  products: {
    Product: '../product.entity.js#Product',
    Category: '../category.entity.js#Category',
    // `totalCount` is a function the default resolver calls, so the count runs only when asked.
    ProductConnection: '../product.service.js#ProductPage',
  },
  inventory: {},
  cart: {
    Cart: '../cart.pricing.js#CartView',
    Product: reference,
  },
  orders: {
    Order: '../order-view.js#OrderView',
    Product: reference,
    User: reference,
  },
  payments: {
    Order: reference,
  },
  notifications: {
    Order: reference,
    User: reference,
  },
  recommendations: {
    Product: reference,
    User: reference,
  },
};

/**
 * The storefront's typed operations (client preset) from its .graphql documents, against the API
 * schema clients see (the committed supergraph without federation's machinery).
 */
const storefront: CodegenConfig['generates'] = {
  'web/src/__generated__/': {
    schema: printSchema(buildApiSchema(readFileSync('schema/supergraph.graphql', 'utf8'))),
    documents: ['web/src/**/*.graphql'],
    preset: 'client',
    presetConfig: { fragmentMasking: false },
    config: {
      useTypeImports: true,
      enumsAsTypes: true,
      scalars: { DateTime: 'string', Decimal: 'string' },
      avoidOptionals: { field: true, inputValue: false },
      skipTypename: false,
    },
  },
};

const config: CodegenConfig = {
  overwrite: true,
  generates: {
    ...storefront,
    ...Object.fromEntries(
      subgraphs.map((name) => [
        `subgraphs/${name}/src/__generated__/resolvers-types.ts`,
        {
          schema: `subgraphs/${name}/${name}.graphql`,
          plugins: ['typescript', 'typescript-resolvers'],
          config: {
            federation: true,
            useIndexSignature: true,
            contextType: '../context.js#Context',
            useTypeImports: true,
            enumsAsTypes: true,
            scalars: { DateTime: 'Date | string', Decimal: 'string' },
            maybeValue: 'T | null | undefined',
            mappers: mappers[name] ?? {},
            // Imported mappers are named `<Type>Model`, apart from the GraphQL types of the same name.
            mapperTypeSuffix: 'Model',
          },
        },
      ]),
    ),
  },
};

export default config;
