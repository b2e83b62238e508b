import {
  createGraphQLService,
  loadTypeDefs,
  type SubgraphRuntime,
  subgraphServiceOptions,
} from '@shop/platform';
import type { SubgraphApp } from '@shop/platform/testing';
import { categoryResolvers } from './category.resolvers.js';
import { CategoryService } from './category.service.js';
import type { Context } from './context.js';
import { startProductConsumer } from './product.consumer.js';
import { productResolvers } from './product.resolvers.js';
import { ProductService } from './product.service.js';
import { DateTimeScalar, DecimalScalar } from '@shop/platform';

const typeDefs = loadTypeDefs(new URL('../products.graphql', import.meta.url));

export interface ProductsOptions {
  /** The store currency (ISO 4217); default `USD`. */
  currency?: string;
}

/** The products subgraph on an open runtime. No side effects until `listen` / `startConsumers`. */
export function buildApp(runtime: SubgraphRuntime, options: ProductsOptions = {}): SubgraphApp {
  const categories = new CategoryService();
  const products = new ProductService({
    currency: options.currency ?? 'USD',
    relay: runtime.relay,
    categories,
  });
  const categoryMap = categoryResolvers(categories);
  const productMap = productResolvers(products);

  const service = createGraphQLService<Context>({
    ...subgraphServiceOptions(runtime),
    typeDefs,
    resolvers: {
      DateTime: DateTimeScalar,
      Decimal: DecimalScalar,
      Query: { ...categoryMap.Query, ...productMap.Query },
      Mutation: { ...categoryMap.Mutation, ...productMap.Mutation },
      Category: categoryMap.Category,
      Product: productMap.Product,
    },
  });

  return {
    service,
    startConsumers: async () => {
      const consumer = await startProductConsumer(runtime, products);
      return [consumer];
    },
  };
}
