import { afterAll, beforeAll } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { graphql, type GraphQLResponse } from '../../platform/src/testing/graphql-client.js';
import { DEV_ADMIN, startStack, type RunningStack, type StackOptions } from '../../scripts/stack.js';

/**
 * Starts the whole stack (every subgraph and the router as real processes, on free ports, with
 * databases and Kafka topics of their own) for one spec file, and stops it afterwards.
 */
export function useStack(options: Pick<StackOptions, 'replicas'> = {}) {
  const holder: { stack?: RunningStack } = {};
  beforeAll(async () => {
    holder.stack = await startStack({
      ...options,
      isolated: true,
      env: { LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'warn' },
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

/** Polls `probe` until it resolves a truthy value (or times out). */
export async function eventually<T>(
  probe: () => Promise<T | undefined | null | false>,
  timeoutMs = 20_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await probe();
      if (value) return value;
    } catch (error) {
      last = error;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`condition not met within ${timeoutMs} ms${last ? `: ${String(last)}` : ''}`);
}
