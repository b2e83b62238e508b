import {
  createGraphQLService,
  loadTypeDefs,
  type SubgraphRuntime,
  subgraphServiceOptions,
} from '@shop/platform';
import type { SubgraphApp } from '@shop/platform/testing';
import { addressResolvers } from './address.resolvers.js';
import { AddressService } from './address.service.js';
import type { Context } from './context.js';
import { startUserConsumer } from './user.consumer.js';
import { userResolvers } from './user.resolvers.js';
import { UserService } from './user.service.js';

const typeDefs = loadTypeDefs(new URL('../users.graphql', import.meta.url));

/** What the users subgraph needs besides the runtime. */
export interface UsersOptions {
  /** The auth subgraph's GraphQL endpoint (`AUTH_URL`), asked for profiles not yet projected. */
  authUrl: string;
}

/** Wires the users subgraph; no side effects until `service.listen` / `startConsumers`. */
export function buildApp(runtime: SubgraphRuntime, options: UsersOptions): SubgraphApp {
  const users = new UserService({ authUrl: options.authUrl, relay: runtime.relay });
  const addresses = new AddressService(users);
  const user = userResolvers(users);
  const address = addressResolvers(addresses);
  const service = createGraphQLService<Context>({
    ...subgraphServiceOptions(runtime),
    typeDefs,
    resolvers: { ...user, Mutation: { ...user.Mutation, ...address.Mutation } },
  });
  return {
    service,
    async startConsumers() {
      const consumer = await startUserConsumer(runtime, users);
      return [consumer];
    },
  };
}
