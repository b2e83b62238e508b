import {
  createGraphQLService,
  loadTypeDefs,
  type SubgraphRuntime,
  subgraphServiceOptions,
} from '@shop/platform';
import type { SubgraphApp } from '@shop/platform/testing';
import type { Context } from './context.js';
import { startRecommendationConsumer } from './recommendation.consumer.js';
import { recommendationResolvers } from './recommendation.resolvers.js';
import { recommendationService } from './recommendation.service.js';

const typeDefs = loadTypeDefs(new URL('../recommendations.graphql', import.meta.url));

/** The recommendations subgraph, wired to an open runtime. No side effects until `listen`/`startConsumers`. */
export function buildApp(runtime: SubgraphRuntime): SubgraphApp {
  const service = createGraphQLService<Context>({
    ...subgraphServiceOptions(runtime),
    typeDefs,
    resolvers: recommendationResolvers(recommendationService),
  });
  return {
    service,
    /** The one consumer group: confirmed/cancelled orders and product categories. */
    async startConsumers() {
      const consumer = await startRecommendationConsumer(runtime);
      return [consumer];
    },
  };
}
