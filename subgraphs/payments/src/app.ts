import {
  createGraphQLService,
  loadTypeDefs,
  type SubgraphRuntime,
  subgraphServiceOptions,
} from '@shop/platform';
import type { SubgraphApp } from '@shop/platform/testing';
import type { Context } from './context.js';
import type { PaymentProvider } from './payment-provider.js';
import { startPaymentConsumer } from './payment.consumer.js';
import { paymentResolvers } from './payment.resolvers.js';
import { PaymentService } from './payment.service.js';
import { createSandboxPaymentProvider } from './sandbox-provider.js';

export interface PaymentsOptions {
  /** The payment provider (default the sandbox, on payments' own database). */
  provider?: PaymentProvider;
}

const typeDefs = loadTypeDefs(new URL('../payments.graphql', import.meta.url));

/** The payments subgraph, wired to an open runtime. No side effects until `listen`/`startConsumers`. */
export function buildApp(runtime: SubgraphRuntime, options: PaymentsOptions = {}): SubgraphApp {
  const payments = new PaymentService({
    provider: options.provider ?? createSandboxPaymentProvider(runtime.orm),
    relay: runtime.relay,
  });
  const service = createGraphQLService<Context>({
    ...subgraphServiceOptions(runtime),
    typeDefs,
    resolvers: paymentResolvers(payments),
  });
  return {
    service,
    async startConsumers() {
      const consumer = await startPaymentConsumer(runtime, payments);
      return [consumer];
    },
  };
}
