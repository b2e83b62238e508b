export * from './database.js';
export * from './issuer.js';
export * from './graphql-client.js';
export * from './subgraph.js';
export * from './graphql-ws-client.js';
