import { randomUUID } from 'node:crypto';
import { startTestSubgraph, type TestSubgraph } from '@shop/platform/testing';
import { buildApp, type AuthOptions } from '../src/app.js';
import { entities } from '../src/entities.js';
import { migrations } from '../src/migrations/index.js';

/** The options every auth test runs with, unless it overrides some. */
export const testOptions = (overrides: Partial<AuthOptions> = {}): AuthOptions => ({
  issuer: 'shop-auth',
  audience: 'shop',
  accessTokenTtlSeconds: 600,
  loginMaxFailures: 3,
  loginMaxFailuresPerIp: 8,
  loginFailureWindowSeconds: 120,
  ...overrides,
});

export interface TestAuth extends TestSubgraph {
  options: AuthOptions;
  /** Base URL of the server (no `/graphql`). */
  baseUrl: string;
  jwksUrl: string;
  /** The Kafka namespace (topic and group prefix) of this run. */
  kafkaNamespace: string;
}

/**
 * Starts the auth subgraph on port 0 against a fresh database, the local Redis (under a key prefix
 * of its own, so counters never leak between runs) and a Kafka namespace of its own.
 */
export async function startAuth(
  overrides: Partial<AuthOptions> = {},
  { consumers = true } = {},
): Promise<TestAuth> {
  const options = testOptions(overrides);
  const run = randomUUID().slice(0, 8);
  const kafkaNamespace = `test_auth_${run}.`;
  const subgraph = await startTestSubgraph({
    name: 'auth',
    entities,
    migrations,
    redis: true,
    redisKeyPrefix: `auth-test-${run}:`,
    kafkaNamespace,
    consumers,
    buildApp: (runtime) => buildApp(runtime, options),
  });
  const baseUrl = subgraph.url.replace(/\/graphql$/, '');
  return Object.assign(subgraph, {
    options,
    baseUrl,
    jwksUrl: `${baseUrl}/.well-known/jwks.json`,
    kafkaNamespace,
  });
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
        createdAt
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

export const REFRESH = /* GraphQL */ `
  mutation RefreshSession($refreshToken: String!) {
    refreshSession(refreshToken: $refreshToken) {
      accessToken
      refreshToken
      expiresIn
    }
  }
`;

export const LOGOUT = /* GraphQL */ `
  mutation Logout($refreshToken: String!) {
    logout(refreshToken: $refreshToken)
  }
`;

export const USER_ENTITIES = /* GraphQL */ `
  query ($representations: [_Any!]!) {
    _entities(representations: $representations) {
      ... on User {
        id
        email
        roles
        name
        createdAt
      }
    }
  }
`;

/** A registration nobody has used yet. */
export function newCustomer(name = 'Ada Lovelace') {
  return { email: `ada-${randomUUID()}@example.com`, password: 'correct horse battery', name };
}

/** Registers a fresh customer through the API; resolves what the client would hold. */
export async function registerCustomer(auth: TestSubgraph, name?: string) {
  const input = newCustomer(name);
  const response = await auth.request(REGISTER, { input });
  if (response.errors) throw new Error(`register failed: ${JSON.stringify(response.errors)}`);
  const payload = response.data.register;
  return {
    ...input,
    id: payload.user.id as string,
    accessToken: payload.accessToken as string,
    refreshToken: payload.refreshToken as string,
  };
}
