/**
 * The benchmark's four subgraphs, each on a port of its own in one process, so they cost the
 * measured gateways as little CPU as possible: a request body seen before is answered with the bytes
 * it got the first time (the data is fixed), a new one is parsed, validated and executed with
 * graphql-js on the subgraph schema. Every POST counts as one subgraph fetch; `GET /fetches` answers
 * the total of all four, which the benchmark divides by the requests a gateway served.
 *
 * Run as a process (`node --import tsx bench/src/gateway/subgraphs.ts`), it prints one JSON line,
 * `{"urls":{"accounts":"http://127.0.0.1:<port>/graphql",...}}`, once all four listen.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pathToFileURL } from 'node:url';
import { buildSubgraphSchema } from '@apollo/subgraph';
import { execute, parse, validate, type GraphQLSchema } from 'graphql';
import { SUBGRAPHS } from './shape.js';

export interface BenchSubgraphs {
  /** Routing URL by subgraph name. */
  urls: Record<string, string>;
  /** Subgraph fetches so far, all four together. */
  fetches(): number;
  close(): Promise<void>;
}

const readBody = async (request: IncomingMessage) => {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
};

/** Executes one GraphQL-over-HTTP request body; a body that is not a GraphQL request gets `errors`. */
async function answer(schema: GraphQLSchema, body: string): Promise<string> {
  try {
    const { query, variables, operationName } = JSON.parse(body) as {
      query: string;
      variables?: Record<string, unknown>;
      operationName?: string;
    };
    const document = parse(query);
    const errors = validate(schema, document);
    if (errors.length > 0) return JSON.stringify({ errors });
    return JSON.stringify(
      await execute({
        schema,
        document,
        variableValues: variables ?? null,
        operationName: operationName ?? null,
      }),
    );
  } catch (error) {
    return JSON.stringify({ errors: [{ message: (error as Error).message }] });
  }
}

export async function startBenchSubgraphs(host = '127.0.0.1'): Promise<BenchSubgraphs> {
  let fetches = 0;
  const servers: Server[] = [];
  const urls: Record<string, string> = {};
  for (const subgraph of SUBGRAPHS) {
    const schema = buildSubgraphSchema({
      typeDefs: subgraph.typeDefs,
      resolvers: subgraph.resolvers as never,
    });
    const answered = new Map<string, string>();
    const server = createServer((request, response) => {
      if (request.method === 'GET' && request.url === '/fetches') {
        response.setHeader('content-type', 'application/json');
        response.end(JSON.stringify({ fetches }));
        return;
      }
      fetches++;
      void readBody(request).then(async (body) => {
        let text = answered.get(body);
        if (text === undefined) {
          text = await answer(schema, body);
          answered.set(body, text);
        }
        response.setHeader('content-type', 'application/json');
        response.end(text);
      });
    });
    // Gateways keep connections alive; never cut one between two fetches of a run.
    server.keepAliveTimeout = 60_000;
    await new Promise<void>((resolve) => server.listen(0, host, resolve));
    servers.push(server);
    urls[subgraph.name] = `http://${host}:${(server.address() as AddressInfo).port}/graphql`;
  }
  return {
    urls,
    fetches: () => fetches,
    close: async () => {
      await Promise.all(
        servers.map(
          (server) =>
            new Promise<void>((resolve) => {
              server.closeAllConnections();
              server.close(() => resolve());
            }),
        ),
      );
    },
  };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const subgraphs = await startBenchSubgraphs();
  console.log(JSON.stringify({ urls: subgraphs.urls }));
  const stop = () => void subgraphs.close().then(() => process.exit(0));
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}
