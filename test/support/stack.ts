import { afterAll, beforeAll } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { graphql, type GraphQLResponse } from '../../platform/src/testing/graphql-client.js';
import { liveSubscriberCount, metricsText } from '../../platform/src/testing/metrics.js';
import { waitFor } from '../../platform/src/testing/wait-for.js';
import { DEV_ADMIN, startStack, type RunningStack, type StackOptions } from '../../scripts/stack.js';

/**
 * Starts the whole stack (every subgraph and the router as real processes, on free ports, with
 * databases and Kafka topics of their own) for one spec file, and stops it afterwards. `env` gives
 * extra environment for every process, read when the stack starts (so it may name a server a spec's
 * earlier `beforeAll` started).
 */
export function useStack({
  env,
  ...options
}: Pick<StackOptions, 'replicas' | 'storefront'> & { env?: () => Record<string, string> } = {}) {
  const holder: { stack?: RunningStack } = {};
  beforeAll(async () => {
    holder.stack = await startStack({
      ...options,
      isolated: true,
      env: { LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'warn', ...env?.() },
    });
  }, 180_000);
  afterAll(async () => {
    await holder.stack?.stop();
  }, 60_000);
  const client = {
    get stack(): RunningStack {
      if (!holder.stack) throw new Error('stack not started');
      return holder.stack;
    },
    /** Sends an operation to the router like a storefront would. */
    request<D = any>(
      query: string,
      variables: Record<string, unknown> = {},
      token?: string,
    ): Promise<GraphQLResponse<D>> {
      return graphql<D>(client.stack.routerUrl, query, variables, token ? { token } : {});
    },
    /** Registers a fresh customer; resolves their tokens and id. */
    async registerCustomer(name = 'Test Customer') {
      const email = `customer-${randomUUID()}@example.com`;
      const password = 'correct horse battery';
      const response = await client.request(REGISTER, { input: { email, password, name } });
      if (response.errors) throw new Error(`register failed: ${JSON.stringify(response.errors)}`);
      const payload = response.data.register;
      return {
        email,
        password,
        name,
        id: payload.user.id as string,
        accessToken: payload.accessToken as string,
        refreshToken: payload.refreshToken as string,
      };
    },
    /** Creates a category as `adminToken`; resolves its id. */
    async createCategory(adminToken: string, name: string): Promise<string> {
      const response = await client.request(
        'mutation($input: CreateCategoryInput!) { createCategory(input: $input) { id } }',
        { input: { name } },
        adminToken,
      );
      if (response.errors) throw new Error(`createCategory failed: ${JSON.stringify(response.errors)}`);
      return response.data.createCategory.id;
    },
    /**
     * Resolves once the customer's WELCOME notification exists (notifications creates it from auth's
     * event, a moment after registration): a spec that counts a customer's notifications starts after it.
     */
    async welcomed(token: string): Promise<void> {
      await waitFor(
        async () => {
          const feed = await client.request(WELCOME, {}, token);
          if (feed.errors) throw new Error(`notifications failed: ${JSON.stringify(feed.errors)}`);
          return feed.data.me.notifications.edges.some(
            (e: { node: { type: string } }) => e.node.type === 'WELCOME',
          );
        },
        30_000,
        'the WELCOME notification',
      );
    },
    /** A process's Prometheus metrics text (`/metrics` of a subgraph, a replica such as `orders-2`, or a router). */
    async metricsOf(name: string): Promise<string> {
      return metricsText(client.graphqlUrlOf(name));
    },
    /** The `/graphql` URL of one process of the stack (a subgraph, a replica such as `orders-2`, or a router). */
    graphqlUrlOf(name: string): string {
      const process = client.stack.processes.get(name);
      if (!process) throw new Error(`no process ${name} in the stack`);
      return `http://127.0.0.1:${process.port}/graphql`;
    },
    /**
     * Resolves once the replica `name` serves at least `count` live-event subscribers (its
     * `live_subscribers` gauge): from then on, what it publishes reaches those subscriptions.
     */
    async liveSubscribers(name: string, count: number): Promise<void> {
      await waitFor(
        async () => (await liveSubscriberCount(client.graphqlUrlOf(name))) >= count,
        30_000,
        `${count} live subscribers on ${name}`,
      );
    },
    /** Signs in as the development admin the stack bootstraps. */
    async adminToken(): Promise<string> {
      const response = await client.request(LOGIN, DEV_ADMIN);
      if (response.errors) throw new Error(`admin login failed: ${JSON.stringify(response.errors)}`);
      return response.data.login.accessToken;
    },
  };
  return client;
}

export const REGISTER = /* GraphQL */ `
  mutation Register($input: RegisterInput!) {
    register(input: $input) {
      accessToken
      refreshToken
      expiresIn
      user {
        id
        email
        name
        roles
      }
    }
  }
`;

export const LOGIN = /* GraphQL */ `
  mutation Login($email: String!, $password: String!) {
    login(email: $email, password: $password) {
      accessToken
      refreshToken
      expiresIn
      user {
        id
        email
        name
        roles
      }
    }
  }
`;

const WELCOME = /* GraphQL */ `
  query Welcome {
    me {
      id
      notifications(first: 50) {
        edges {
          node {
            id
            type
          }
        }
      }
    }
  }
`;
