import type { MigrationObject } from '@mikro-orm/core';
import type { Options } from '@mikro-orm/postgresql';
import type { JSONWebKeySet } from 'jose';
import { createJwtVerifier, type VerifyToken } from './auth.js';
import { faultInjectErrorRatio } from './config.js';
import { databaseIsReady, openDatabase, type Database } from './database.js';
import { createKafka, type EventProducer, type KafkaClient } from './kafka.js';
import type { Stoppable } from './lifecycle.js';
import type { Logger } from './logger.js';
import { createMetrics, type Metrics } from './metrics.js';
import { startOutboxRelay, type OutboxRelay } from './outbox.js';
import { createRedis, redisIsReady, type Redis } from './redis.js';
import type { ReadinessCheck } from './server.js';

/** What a subgraph's `buildApp(runtime)` receives: every connection, opened and ready. */
export interface SubgraphRuntime {
  name: string;
  logger: Logger;
  metrics: Metrics;
  verifyToken: VerifyToken;
  orm: Database;
  kafka: KafkaClient;
  producer: EventProducer;
  relay: OutboxRelay;
  /** Present when the subgraph asked for Redis. */
  redis?: Redis;
  readiness: Record<string, ReadinessCheck>;
  /** Stops, in order: outbox relay (final flush), producer, Redis, ORM. Stop HTTP and consumers first. */
  stoppables: Stoppable[];
  /** `FAULT_INJECT_ERROR_RATIO` (a testing switch; 0 or absent: off). */
  faultInjectErrorRatio?: number;
}

export interface RuntimeOptions {
  name: string;
  logger: Logger;
  databaseUrl: string;
  /** The subgraph's own database; defaults to its name. */
  dbName?: string;
  entities: NonNullable<Options['entities']>;
  migrations: MigrationObject[];
  kafkaBrokers: string[];
  /** Topic and consumer-group prefix (see KafkaOptions.namespace). */
  kafkaNamespace?: string;
  /** Public keys: the auth subgraph's JWKS URL, or a key set in tests. */
  jwks: URL | JSONWebKeySet;
  jwtIssuer: string;
  jwtAudience: string;
  /** Connect to Redis at this URL. */
  redisUrl?: string;
  redisKeyPrefix?: string;
  onQuery?: (sql: string) => void;
  /** Outbox idle poll period (ms). */
  outboxIntervalMs?: number;
  /** Whether the outbox relay publishes (default true; see OutboxRelayOptions.enabled). */
  outboxRelayEnabled?: boolean;
  /** The share of operations failed on purpose (`FAULT_INJECT_ERROR_RATIO`; default 0, off). */
  faultInjectErrorRatio?: number;
}

/**
 * Opens everything a subgraph needs, in dependency order: Postgres (database created and
 * migrated), Kafka producer and outbox relay, Redis when asked, the token verifier and metrics.
 * Rejects (after closing what it opened) when any of them cannot be reached.
 */
export async function openRuntime(options: RuntimeOptions): Promise<SubgraphRuntime> {
  const { name, logger } = options;
  const metrics = createMetrics(name);
  const opened: Stoppable[] = [];
  try {
    const orm = await openDatabase({
      url: options.databaseUrl,
      dbName: options.dbName ?? name,
      entities: options.entities,
      migrations: options.migrations,
      logger,
      ...(options.onQuery ? { onQuery: options.onQuery } : {}),
    });
    opened.unshift({ name: 'orm', stop: () => orm.close() });
    const redis = options.redisUrl
      ? createRedis(options.redisUrl, options.redisKeyPrefix ? { keyPrefix: options.redisKeyPrefix } : {})
      : undefined;
    if (redis) opened.unshift({ name: 'redis', stop: async () => void (await redis.quit()) });
    const kafka = createKafka({
      clientId: name,
      brokers: options.kafkaBrokers,
      logger,
      namespace: options.kafkaNamespace ?? '',
      // Every consumer the subgraph starts reports its lag on the subgraph's /metrics.
      registry: metrics.registry,
    });
    const producer = await kafka.producer();
    opened.unshift({ name: 'kafka-producer', stop: () => producer.disconnect() });
    const relay = startOutboxRelay({
      orm,
      producer,
      logger,
      registry: metrics.registry,
      enabled: options.outboxRelayEnabled ?? true,
      ...(options.outboxIntervalMs ? { intervalMs: options.outboxIntervalMs } : {}),
    });
    opened.unshift({ name: 'outbox-relay', stop: () => relay.stop() });
    const verifyToken = createJwtVerifier({
      jwks: options.jwks,
      issuer: options.jwtIssuer,
      audience: options.jwtAudience,
    });
    const readiness: Record<string, ReadinessCheck> = { postgres: () => databaseIsReady(orm) };
    if (redis) readiness.redis = () => redisIsReady(redis);
    return {
      name,
      logger,
      metrics,
      verifyToken,
      orm,
      kafka,
      producer,
      relay,
      ...(redis ? { redis } : {}),
      readiness,
      stoppables: opened,
      ...(options.faultInjectErrorRatio ? { faultInjectErrorRatio: options.faultInjectErrorRatio } : {}),
    };
  } catch (error) {
    for (const part of opened) await Promise.resolve(part.stop()).catch(() => undefined);
    throw error;
  }
}

/** The shared keys of `serviceEnv`, as `loadConfig` returns them. */
export interface SharedServiceConfig {
  DATABASE_URL: string;
  DATABASE_NAME?: string | undefined;
  KAFKA_BROKERS: string[];
  KAFKA_NAMESPACE: string;
  AUTH_JWKS_URL: string;
  JWT_ISSUER: string;
  JWT_AUDIENCE: string;
  OUTBOX_RELAY_ENABLED?: boolean | undefined;
  NODE_ENV?: string | undefined;
  FAULT_INJECT_ERROR_RATIO?: number | undefined;
  FAULT_INJECT_IN_PRODUCTION?: boolean | undefined;
}

/**
 * The runtime options every `main.ts` derives from the shared environment keys: database
 * (`DATABASE_NAME` or the subgraph's name), Kafka brokers and namespace, the auth subgraph's
 * public keys, whether the outbox relay publishes and the fault-injection testing switch (refused in
 * production, see `faultInjectErrorRatio`). Spread it and add entities, migrations and Redis.
 */
export function runtimeOptionsFromConfig(name: string, logger: Logger, config: SharedServiceConfig) {
  return {
    name,
    logger,
    databaseUrl: config.DATABASE_URL,
    dbName: config.DATABASE_NAME ?? name,
    kafkaBrokers: config.KAFKA_BROKERS,
    kafkaNamespace: config.KAFKA_NAMESPACE,
    jwks: new URL(config.AUTH_JWKS_URL),
    jwtIssuer: config.JWT_ISSUER,
    jwtAudience: config.JWT_AUDIENCE,
    outboxRelayEnabled: config.OUTBOX_RELAY_ENABLED ?? true,
    faultInjectErrorRatio: faultInjectErrorRatio(config),
  } satisfies Omit<RuntimeOptions, 'entities' | 'migrations'>;
}

/**
 * The `createGraphQLService` options every subgraph shares, taken from its runtime: its name,
 * logger, token verifier, readiness checks, metrics, and a context with one EntityManager fork per
 * request. Spread it and add `typeDefs` and `resolvers` (override any of it where a subgraph differs).
 */
export function subgraphServiceOptions(runtime: SubgraphRuntime) {
  return {
    name: runtime.name,
    logger: runtime.logger,
    verifyToken: runtime.verifyToken,
    readiness: runtime.readiness,
    // Consumers join in the background; /health/ready shows what each is doing without gating on it.
    readinessDetails: () => ({ consumers: runtime.kafka.consumerStatuses() }),
    metrics: runtime.metrics,
    ...(runtime.faultInjectErrorRatio ? { faultInjectErrorRatio: runtime.faultInjectErrorRatio } : {}),
    context: <B extends object>(base: B) => ({ ...base, em: runtime.orm.em.fork() }),
  };
}
