import type { CodegenConfig } from '@graphql-codegen/cli';
import { existsSync, readdirSync } from 'node:fs';

// Typed resolvers for every subgraph that has an SDL file: subgraphs/<name>/<name>.graphql ->
// subgraphs/<name>/src/__generated__/resolvers-types.ts. Each subgraph exports its request
// context type as `Context` from src/context.ts.
const subgraphs = readdirSync('subgraphs').filter((name) => existsSync(`subgraphs/${name}/${name}.graphql`));

const config: CodegenConfig = {
  overwrite: true,
  generates: Object.fromEntries(
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
        },
      },
    ]),
  ),
};

export default config;
