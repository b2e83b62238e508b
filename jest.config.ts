import type { Config } from 'jest';

// Sources are ES modules written in TypeScript; @swc/jest compiles them and jest runs them as ESM
// (node --experimental-vm-modules). Relative imports carry a `.js` suffix as NodeNext requires.
const shared: Config = {
  extensionsToTreatAsEsm: ['.ts'],
  transform: { '^.+\\.ts$': ['@swc/jest', { jsc: { target: 'es2024', parser: { syntax: 'typescript' } } }] },
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  testEnvironment: 'node',
  testPathIgnorePatterns: ['/node_modules/', '/.local/'],
};

const projects: Config[] = [
  // Pure logic: no network, no database. Specs live beside the code.
  { ...shared, displayName: 'unit', testMatch: ['<rootDir>/**/src/**/*.spec.ts'] },
  // Real servers on real Postgres, Redis and Kafka (started by scripts/infra.sh).
  { ...shared, displayName: 'e2e', testMatch: ['<rootDir>/**/test/**/*.e2e.spec.ts'] },
];

// JEST_PROJECT=unit|e2e runs one kind (npm run test:unit / test:e2e); path patterns still apply.
const only = process.env.JEST_PROJECT;

const config: Config = {
  // e2e specs wait on real brokers and databases; unit specs finish far below this.
  testTimeout: 60_000,
  projects: only ? projects.filter((p) => p.displayName === only) : projects,
};

export default config;
