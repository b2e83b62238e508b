import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { graphql, type GraphQLResponse } from '../../platform/src/testing/graphql-client.js';
import { releasePort, reservePort } from '../../platform/src/testing/ports.js';
import { waitFor } from '../../platform/src/testing/wait-for.js';
import { contract } from '../../test/support/contract.js';

// docker-compose.yml really running, under podman: the service images built from the Dockerfile
// (scripts/images.sh, reused from podman's layer cache when nothing changed), Postgres, Redis and
// Kafka from deploy/compose/local-infra.yml (the official images cannot be pulled here), as a
// compose project of its own with the router on a free port. Through that port, as a storefront:
// a federated query over the seeded catalog, a sign-up, an order that reaches CONFIRMED. Then one
// subgraph gets SIGTERM (`podman stop -t <its stop_grace_period>`) and must exit 0 before podman
// would SIGKILL it. Everything the project made (containers, network, volumes) is removed
// afterwards, whatever happened.

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
// podman's settings for this machine, as scripts/podman.sh writes them (runc, ulimits it can set).
process.env.CONTAINERS_CONF ??= join(
  process.env.INFRA_DIR ?? join(ROOT, '.local'),
  'podman',
  'containers.conf',
);
const PROJECT = `shope2e${randomUUID().slice(0, 8)}`;
/** stop_grace_period of the app services in docker-compose.yml. */
const GRACE_SECONDS = 30;
/** From `compose up` to every service healthy: podman.sh fails sooner, with the logs, on a crash. */
const UP_TIMEOUT_SECONDS = 300;

interface Run {
  code: number | null;
  output: string;
}

/** Runs `command`, output collected (stderr too, as it is where the scripts report); never throws. */
function run(command: string, args: string[], env: Record<string, string> = {}): Promise<Run> {
  return new Promise((done) => {
    const child = spawn(command, args, { cwd: ROOT, env: { ...process.env, ...env } });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk));
    child.on('error', (error) => done({ code: null, output: `${output}${error.message}\n` }));
    child.on('close', (code) => done({ code, output }));
  });
}

/** Like {@link run}, but rejects with the command's output when it fails. */
async function mustRun(command: string, args: string[], env: Record<string, string> = {}) {
  const result = await run(command, args, env);
  if (result.code !== 0) {
    throw new Error(`${command} ${args.join(' ')} exited ${result.code}:\n${result.output}`);
  }
  return result.output;
}

const progress = (line: string) => process.stderr.write(`compose spec: ${line}\n`);
const seconds = (since: number) => `${((performance.now() - since) / 1000).toFixed(1)}s`;

describe('docker-compose.yml under podman', () => {
  const state = { routerUrl: '', port: 0 };
  const composeEnv = (): Record<string, string> => ({
    COMPOSE_PROJECT_NAME: PROJECT,
    LOCAL_INFRA: '1',
    ROUTER_PORT: String(state.port),
    COMPOSE_UP_TIMEOUT: String(UP_TIMEOUT_SECONDS),
  });
  const compose = (...args: string[]) =>
    mustRun('bash', ['scripts/podman.sh', 'compose', ...args], composeEnv());
  const podman = (...args: string[]) => mustRun('podman', args);
  const container = (service: string) => `${PROJECT}_${service}_1`;
  const api = <D = any>(query: string, variables: Record<string, unknown> = {}, token?: string) =>
    graphql<D>(state.routerUrl, query, variables, token ? { token } : {});

  beforeAll(async () => {
    let since = performance.now();
    // The app images, then Postgres, Redis and Kafka; both print per-image timings.
    progress(await mustRun('bash', ['scripts/images.sh', 'build']));
    progress(await mustRun('bash', ['scripts/images.sh', 'infra']));
    progress(`images ready in ${seconds(since)}`);

    since = performance.now();
    state.port = await reservePort(); // the router's published port
    state.routerUrl = `http://127.0.0.1:${state.port}/graphql`;
    // Returns once the router is healthy and the seed has started (depends_on), or fails with the
    // logs of the container at fault.
    await compose('up', '-d', '--no-build');
    // Every health check passing and the seed's exit 0.
    await mustRun('bash', ['scripts/podman.sh', 'healthchecks', '120', PROJECT]);
    const seeded = await podman('wait', container('seed'));
    if (seeded.trim() !== '0') {
      throw new Error(
        `the seed exited ${seeded.trim()}:\n${(await run('podman', ['logs', container('seed')])).output}`,
      );
    }
    progress(`stack healthy and seeded in ${seconds(since)} (router on ${state.port})`);
  }, 1_200_000);

  afterAll(async () => {
    const since = performance.now();
    // `down` removes the containers, the network and (-v) the named volumes; then whatever is left
    // of the project is removed by its label: a half-made `up`, or a crash-looping container that
    // its restart policy brought back while `down` ran.
    const down = await run(
      'bash',
      ['scripts/podman.sh', 'compose', 'down', '-v', '--remove-orphans', '-t', '10'],
      composeEnv(),
    );
    const label = `label=com.docker.compose.project=${PROJECT}`;
    const list = async (...args: string[]) => (await run('podman', args)).output.split('\n').filter(Boolean);
    const containers = () => list('ps', '-aq', '--filter', label);
    const volumes = () => list('volume', 'ls', '-q', '--filter', label);
    const networks = () => list('network', 'ls', '-q', '--filter', `name=^${PROJECT}_`);
    const left = await containers();
    if (left.length) await run('podman', ['rm', '-f', '-t', '0', ...left]);
    const leftVolumes = await volumes();
    if (leftVolumes.length) await run('podman', ['volume', 'rm', '-f', ...leftVolumes]);
    const leftNetworks = await networks();
    if (leftNetworks.length) await run('podman', ['network', 'rm', '-f', ...leftNetworks]);
    progress(
      `torn down in ${seconds(since)}${down.code === 0 ? '' : `; compose down said:\n${down.output}`}`,
    );
    releasePort(state.port);
    const remaining = [...(await containers()), ...(await volumes()), ...(await networks())];
    if (remaining.length) throw new Error(`left behind by project ${PROJECT}: ${remaining.join(' ')}`);
  }, 120_000);

  it('runs every service as user 10001 on a read-only root filesystem', async () => {
    const inspected = await podman(
      'inspect',
      '--format',
      '{{.Name}} {{.Config.User}} {{.HostConfig.ReadonlyRootfs}}',
      container('router'),
      container('orders'),
    );
    expect(inspected.trim().split('\n')).toEqual([
      `${container('router')} 10001:10001 true`,
      `${container('orders')} 10001:10001 true`,
    ]);
    const write = await run('podman', [
      'exec',
      container('orders'),
      'node',
      '-e',
      "require('fs').writeFileSync('/app/x', '')",
    ]);
    expect(write.code).not.toBe(0);
    expect(write.output).toMatch(/EROFS|read-only file system/);
    // The one writable place: the tmpfs /tmp, where V8's compile cache (NODE_COMPILE_CACHE) lands.
    expect(await podman('exec', container('orders'), 'ls', '/tmp/node-compile-cache')).not.toBe('');
  });

  it('ships Node and the one bundle: no node_modules, no sources, no npm', async () => {
    const files = await podman('exec', container('router'), 'find', '/app', '-type', 'f');
    expect(files.trim().split('\n').sort()).toEqual([
      '/app/dist/router/main.mjs',
      '/app/dist/router/main.mjs.LEGAL.txt',
      '/app/schema/supergraph.graphql',
      '/app/trusted-documents/storefront.json',
    ]);
    // The storefront's trusted documents, for TRUSTED_DOCUMENTS: the repository's manifest, unchanged.
    expect(await podman('exec', container('router'), 'cat', '/app/trusted-documents/storefront.json')).toBe(
      readFileSync(join(ROOT, 'web', 'persisted-query-manifest.json'), 'utf8'),
    );
    // Where an npm or a node_modules would be (the user 10001 may not read every folder of /).
    const exec = (...args: string[]) => run('podman', ['exec', container('orders'), ...args]);
    expect(await exec('find', '/app', '/usr', '-name', 'node_modules')).toEqual({ code: 0, output: '' });
    expect((await exec('sh', '-c', 'command -v npm')).code).not.toBe(0);
    const [process1] = (await podman('exec', container('orders'), 'cat', '/proc/1/cmdline')).split('\0');
    expect(process1).toBe('node');
  });

  it('answers a federated query over the seeded catalog', async () => {
    const listed: GraphQLResponse = await api(contract('Products'), { first: 5 });
    expect(listed.errors).toBeUndefined();
    // 10 categories of 25 products: scripts/seed.ts through the router, as the one-shot `seed` service.
    expect(listed.data.products.totalCount).toBe(250);
    const first = listed.data.products.edges[0].node;
    // products' own fields, its category, and inventory's availableQuantity in one answer.
    expect(first).toMatchObject({
      id: expect.any(String),
      price: { currencyCode: 'USD' },
      category: { slug: expect.any(String) },
      availableQuantity: expect.any(Number),
    });
    const detail = await api(contract('Product'), { id: first.id });
    expect(detail.errors).toBeUndefined();
    expect(detail.data.product.recommendations).toEqual(expect.any(Array));
  });

  it('signs a customer up and places an order that is CONFIRMED', async () => {
    const email = `compose-${randomUUID()}@example.com`;
    const registered = await api(contract('Register'), {
      input: { email, password: 'correct horse battery', name: 'Compose Customer' },
    });
    expect(registered.errors).toBeUndefined();
    const token = registered.data.register.accessToken as string;
    // users creates the profile when auth's user.registered event reaches it (asynchronously): until
    // then `me` is refused as an unknown account. Wait for that state, then read it.
    let me: GraphQLResponse = await api(contract('Me'), {}, token);
    await waitFor(
      async () => (me = await api(contract('Me'), {}, token)).data?.me != null,
      30_000,
      "the customer's profile (users consumes auth.user.registered.v1)",
    );
    expect(me.errors).toBeUndefined();
    expect(me.data.me).toMatchObject({ email });

    const inStock = await api(contract('Products'), { first: 20, filter: { inStock: true } });
    expect(inStock.errors).toBeUndefined();
    const product = inStock.data.products.edges.find(
      (e: { node: { availableQuantity: number } }) => e.node.availableQuantity >= 1,
    ).node;
    const placed = await api(
      contract('PlaceOrder'),
      {
        input: {
          idempotencyKey: randomUUID(),
          items: [{ productId: product.id, quantity: 1 }],
          paymentToken: 'tok_visa',
          shippingAddress: { line1: '1 Main St', city: 'Springfield', postalCode: '12345', country: 'US' },
        },
      },
      token,
    );
    expect(placed.errors).toBeUndefined();
    expect(placed.data.placeOrder).toMatchObject({ status: 'PENDING', total: product.price });

    // orders -> inventory -> payments -> orders over Kafka, read back through the router.
    const order = await waitFor(
      async () => {
        const found = (await api(contract('Order'), { id: placed.data.placeOrder.id }, token)).data?.order;
        return ['CONFIRMED', 'CANCELLED'].includes(found?.status) ? found : undefined;
      },
      60_000,
      'the order to settle',
    );
    expect(order).toMatchObject({
      status: 'CONFIRMED',
      payment: { status: 'SUCCEEDED', amount: product.price },
      customer: { email },
    });
  }, 90_000);

  it('stops a subgraph on SIGTERM with exit code 0 within its grace period', async () => {
    const since = performance.now();
    await podman('stop', '-t', String(GRACE_SECONDS), container('orders'));
    const elapsed = (performance.now() - since) / 1000;
    const [status, code] = (
      await podman('inspect', '--format', '{{.State.Status}} {{.State.ExitCode}}', container('orders'))
    )
      .trim()
      .split(' ');
    progress(`orders stopped in ${elapsed.toFixed(1)}s, exit code ${code}`);
    expect({ status, code }).toEqual({ status: 'exited', code: '0' });
    expect(elapsed).toBeLessThan(GRACE_SECONDS);
    const logs = (await run('podman', ['logs', '--tail', '20', container('orders')])).output;
    expect(logs).toMatch(/"signal":"SIGTERM".*"msg":"shutting down"/);
    expect(logs).toMatch(/"msg":"stopped"/);
  }, 60_000);
});
