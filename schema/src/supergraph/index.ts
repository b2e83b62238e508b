/**
 * The supergraph pipeline: read `supergraph.yaml`, load the subgraph SDL files, compose them, compare
 * with the committed `schema/supergraph.graphql`, build the API schema and check the client contract's
 * operations against it, and compare its API schema with a base revision's (breaking changes).
 * `schema/scripts/compose.ts` and `schema/scripts/check-schema.ts` drive it.
 */
export * from './api-schema.js';
export * from './breaking-changes.js';
export * from './composition.js';
export * from './config.js';
export * from './contract.js';
export * from './drift.js';
export * from './operations.js';
export * from './pending.js';
export * from './sources.js';
export * from './subgraph-check.js';
