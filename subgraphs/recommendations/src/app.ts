import { readFileSync } from 'node:fs';
import { createGraphQLService, subgraphServiceOptions, type SubgraphRuntime } from '@shop/platform';
import type { SubgraphApp } from '@shop/platform/testing';
import { gql } from 'graphql-tag';
import type { Context } from './context.js';
import { startRecommendationConsumer } from './recommendation.consumer.js';
import { recommendationResolvers } from './recommendation.resolvers.js';
import { recommendationService } from './recommendation.service.js';

export interface RecommendationsOptions {
  /** Kafka consumer group of the statistics and the category projection (default `recommendations`). */
  consumerGroupId?: string;
}

const typeDefs = gql(readFileSync(new URL('../recommendations.graphql', import.meta.url), 'utf8'));

/** The recommendations subgraph, wired to an open runtime. No side effects until `listen`/`startConsumers`. */
export function buildApp(runtime: SubgraphRuntime, options: RecommendationsOptions = {}): SubgraphApp {
  const service = createGraphQLService<Context>({
    ...subgraphServiceOptions(runtime),
    typeDefs,
    resolvers: recommendationResolvers(recommendationService),
  });
  return {
    service,
    /** The one consumer group: confirmed/cancelled orders and product categories. */
    async startConsumers() {
      const consumer = await startRecommendationConsumer(
        runtime,
        options.consumerGroupId ? { groupId: options.consumerGroupId } : {},
      );
      return [{ name: 'recommendations-consumer', stop: () => consumer.stop() }];
    },
  };
}
