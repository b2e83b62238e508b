// Lint enforces the boundaries of DESIGN.md, so a cross-boundary import fails the build:
// - a subgraph never imports another subgraph (cross-domain reads go through federation,
//   reactions through Kafka events typed in schema/);
// - platform/ imports no subgraph, no router and no domain contract;
// - schema/ imports nothing of ours;
// - every package imports only what its own package.json declares.
import js from '@eslint/js';
import importX from 'eslint-plugin-import-x';
import globals from 'globals';
import tseslint from 'typescript-eslint';

const SUBGRAPHS = [
  'auth',
  'users',
  'products',
  'inventory',
  'cart',
  'orders',
  'payments',
  'notifications',
  'recommendations',
];

/** Import patterns that reach into another workspace's folder by path. */
const pathInto = (folder) => [`**/${folder}/**`, `../${folder}/**`];

function subgraphBoundary(name) {
  const others = SUBGRAPHS.filter((s) => s !== name);
  return {
    files: [`subgraphs/${name}/**/*.ts`],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: others.map((s) => ({
            name: `@shop/${s}`,
            message: 'A subgraph never imports another subgraph.',
          })),
          patterns: [
            {
              group: others.flatMap((s) => [
                `@shop/${s}/*`,
                ...pathInto(`subgraphs/${s}`),
                `../${s}/**`,
                `../../${s}/**`,
              ]),
              message: 'A subgraph never imports another subgraph: use federation or events.',
            },
            {
              group: ['@shop/router', '@shop/router/*', '**/router/src/**'],
              message: 'Subgraphs do not import the router.',
            },
            { group: ['**/platform/src/**'], message: 'Import the kit as @shop/platform.' },
          ],
        },
      ],
    },
  };
}

export default tseslint.config(
  { ignores: ['**/node_modules/**', '.local/**', '**/dist/**', '**/__generated__/**', 'coverage/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node }, ecmaVersion: 2024, sourceType: 'module' },
    plugins: { 'import-x': importX },
    rules: {
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_' },
      ],
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      'import-x/no-self-import': 'error',
      'import-x/no-cycle': ['error', { maxDepth: 3 }],
    },
    settings: { 'import-x/resolver': { node: { extensions: ['.ts', '.js'] } } },
  },
  // Each workspace imports only what its own package.json declares (tooling from the root's).
  ...['platform', 'schema', 'router', ...SUBGRAPHS.map((s) => `subgraphs/${s}`)].map((dir) => ({
    files: [`${dir}/**/*.ts`],
    rules: {
      'import-x/no-extraneous-dependencies': [
        'error',
        {
          packageDir: [import.meta.dirname, `${import.meta.dirname}/${dir}`],
          devDependencies: ['**/*.spec.ts', '**/test/**', '**/scripts/**'],
        },
      ],
    },
  })),
  {
    // The storefront: browser code and its Node server import only what web/package.json declares.
    files: ['web/**/*.{ts,tsx,mjs}'],
    languageOptions: { globals: { ...globals.browser, ...globals.node } },
    rules: {
      'import-x/no-extraneous-dependencies': [
        'error',
        {
          packageDir: [import.meta.dirname, `${import.meta.dirname}/web`],
          devDependencies: ['**/*.spec.ts', '**/*.spec.tsx', '**/test/**', 'web/vite.config.ts'],
        },
      ],
    },
  },
  {
    // Repository-level tooling and the whole-stack specs use the root's devDependencies.
    files: ['test/**/*.ts', 'scripts/**/*.ts', 'bench/**/*.ts', 'deploy/**/*.ts', '*.ts', '*.js'],
    rules: { 'import-x/no-extraneous-dependencies': ['error', { packageDir: [import.meta.dirname] }] },
  },
  ...SUBGRAPHS.map(subgraphBoundary),
  {
    files: ['platform/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: [
                '@shop/*',
                '!@shop/platform',
                ...pathInto('subgraphs'),
                ...pathInto('router'),
                ...pathInto('schema'),
              ],
              message: 'platform/ imports no subgraph, router or domain contract.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['schema/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['@shop/*', ...pathInto('subgraphs'), ...pathInto('router'), ...pathInto('platform')],
              message: 'schema/ imports nothing of ours.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['router/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: SUBGRAPHS.flatMap((s) => [`@shop/${s}`, ...pathInto(`subgraphs/${s}`)]),
              message: 'The router reaches subgraphs over the network only.',
            },
          ],
        },
      ],
    },
  },
  {
    // The router's own code takes the kit's edge entry; its tests' fake subgraphs may use the whole kit.
    files: ['router/src/**/*.ts'],
    ignores: ['router/src/**/*.spec.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [
            {
              name: '@shop/platform',
              message:
                "Import '@shop/platform/edge': the whole kit loads MikroORM, kafkajs and @apollo/subgraph, which the router never uses.",
            },
          ],
          patterns: [
            {
              group: SUBGRAPHS.flatMap((s) => [`@shop/${s}`, ...pathInto(`subgraphs/${s}`)]),
              message: 'The router reaches subgraphs over the network only.',
            },
          ],
        },
      ],
    },
  },
);
