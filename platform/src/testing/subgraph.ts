import type { MigrationObject } from '@mikro-orm/core';
import type { Options } from '@mikro-orm/postgresql';
import { createLogger } from '../logger.js';
import { allJoined, stopAll, type Stoppable } from '../lifecycle.js';
import { openRuntime, type SubgraphRuntime } from '../runtime.js';
import type { GraphQLService } from '../server.js';
import { dropDatabase, testDatabaseUrl, uniqueDatabaseName } from './database.js';
import { graphql } from './graphql-client.js';
import { createTestIssuer, type TestIssuer } from './issuer.js';

/** What a subgraph's `buildApp` returns. */
export interface SubgraphApp {
  service: GraphQLService;
  /** Starts the subgraph's Kafka consumers (called after the runtime is open). */
  startConsumers?: () => Promise<Stoppable[]>;
}

export interface TestSubgraphOptions {
  name: string;
  entities: NonNullable<Options['entities']>;
  migrations: MigrationObject[];
  buildApp: (runtime: SubgraphRuntime) => SubgraphApp | Promise<SubgraphApp>;
  /** Connect Redis (the local stack's, or REDIS_URL). */
  redis?: boolean;
  redisKeyPrefix?: string;
  /** Share an issuer between subgraphs of one test; a new one is made otherwise. */
  issuer?: TestIssuer;
  /** Kafka namespace; default a fresh one per subgraph so tests never see other runs' events. Share it between subgraphs that must talk. */
  kafkaNamespace?: string;
  /** Start the subgraph's consumers (default true). */
  consumers?: boolean;
  /**
   * Run as another replica of a started subgraph: same database (left to that one to drop), Kafka
   * namespace and issuer; consumer groups are shared exactly as in production.
   */
  replicaOf?: TestSubgraph;
}

export interface TestSubgraph {
  url: string;
  /** Its database (shared by its replicas). */
  database: string;
  kafkaNamespace: string;
  runtime: SubgraphRuntime;
  issuer: TestIssuer;
  /** SQL statements sent since the last `resetStatements()`. */
  statements: string[];
  resetStatements(): void;
  /** POSTs an operation to this subgraph's /graphql. */
  request: <D = any>(
    query: string,
    variables?: Record<string, unknown>,
    token?: string,
  ) => ReturnType<typeof graphql<D>>;
  /** Stops the server, consumers and connections and drops the test database. */
  stop(): Promise<void>;
}

/**
 * Starts a subgraph on port 0 against its own fresh database (created, migrated, dropped at
 * `stop`), the local Kafka and Redis, and a throwaway token issuer. This is how subgraph e2e
 * specs run the real server.
 */
export async function startTestSubgraph(options: TestSubgraphOptions): Promise<TestSubgraph> {
  const primary = options.replicaOf;
  const issuer = primary?.issuer ?? options.issuer ?? (await createTestIssuer());
  const dbName = primary?.database ?? uniqueDatabaseName(options.name);
  const kafkaNamespace = primary?.kafkaNamespace ?? options.kafkaNamespace ?? `${dbName}.`;
  const statements: string[] = [];
  let counting = false;
  const runtime = await openRuntime({
    name: options.name,
    logger: createLogger(options.name, { level: process.env.TEST_LOG_LEVEL ?? 'silent' }),
    databaseUrl: testDatabaseUrl(),
    dbName,
    entities: options.entities,
    migrations: options.migrations,
    kafkaBrokers: (process.env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(','),
    kafkaNamespace,
    jwks: issuer.jwks,
    jwtIssuer: issuer.issuer,
    jwtAudience: issuer.audience,
    ...(options.redis ? { redisUrl: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379' } : {}),
    ...(options.redisKeyPrefix ? { redisKeyPrefix: options.redisKeyPrefix } : {}),
    onQuery: (sql) => {
      if (counting) statements.push(sql);
    },
  }).catch(async (error: unknown) => {
    if (!primary) await dropDatabase(dbName).catch(() => undefined);
    throw error;
  });
  const app = await options.buildApp(runtime);
  const consumers = options.consumers === false ? [] : ((await app.startConsumers?.()) ?? []);
  // Consumers join their groups in the background; a spec starts once they have their partitions.
  await allJoined(consumers);
  const { url } = await app.service.listen(0, '127.0.0.1');
  counting = true;
  const graphqlUrl = `${url}/graphql`;
  return {
    url: graphqlUrl,
    database: dbName,
    kafkaNamespace,
    runtime,
    issuer,
    statements,
    resetStatements: () => statements.splice(0),
    request: (query, variables = {}, token) => graphql(graphqlUrl, query, variables, token ? { token } : {}),
    async stop() {
      await stopAll([{ name: 'http', stop: () => app.service.close() }, ...consumers, ...runtime.stoppables]);
      if (!primary) await dropDatabase(dbName);
    },
  };
}
