/**
 * The benchmark's baseline: a vanilla `@apollo/gateway` on `@apollo/server`'s standalone server, with
 * nothing configured beyond the supergraph (SUPERGRAPH_PATH) and the port (PORT).
 */
import { readFileSync } from 'node:fs';
import { ApolloGateway } from '@apollo/gateway';
import { ApolloServer } from '@apollo/server';
import { startStandaloneServer } from '@apollo/server/standalone';

const server = new ApolloServer({
  gateway: new ApolloGateway({ supergraphSdl: readFileSync(process.env.SUPERGRAPH_PATH!, 'utf8') }),
  // Its own signal handlers re-raise the signal after stopping; this process exits instead (below),
  // so that `node --cpu-prof` (bench:gateway --profile) gets to write its profile.
  stopOnTerminationSignals: false,
});
const { url } = await startStandaloneServer(server, {
  listen: { port: Number(process.env.PORT ?? 4000), host: '127.0.0.1' },
});
console.log(`@apollo/gateway on ${url}`);
const stop = () => void server.stop().then(() => process.exit(0));
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
