export * from './database.js';
export * from './issuer.js';
export * from './graphql-client.js';
export * from './subgraph.js';
export * from './graphql-ws-client.js';
export * from './wait-for.js';
export * from './products-stand-in.js';
export * from './metrics.js';
