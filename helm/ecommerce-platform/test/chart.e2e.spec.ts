/**
 * The chart's rendered manifests (`helm template` of every value set under ci/, parsed as YAML)
 * against the code they deploy:
 * - the values describe the code: every subgraph of supergraph.yaml with its port, the subgraphs whose
 *   `_entities` it calls (its config's `<NAME>_URL` keys), whether it uses Redis, the topics its
 *   consumers handle; the event topics are @shop/schema's;
 * - every subgraph and the router get a Deployment, Service, ServiceAccount, PodDisruptionBudget and an
 *   HPA or a KEDA ScaledObject (never both), all named after the service, which is also its labels, its
 *   Service, its logger's and metrics' `service` label;
 * - the router's ConfigMap serves schema/supergraph.graphql, mounted so that a new one is reloaded;
 * - NetworkPolicies allow exactly the designed edges and nothing else;
 * - every container runs non-root under a restricted securityContext with requests and limits;
 * - values.schema.json refuses unknown and mistyped values with a message naming the path, and secrets
 *   never appear in plain text, not even in helm's refusal;
 * - the steps of check:deploy (scripts/deploy/steps.ts) fail, with the tool's own message, on a broken
 *   template, a mistyped value, a field no schema knows, a manifest only the API server refuses, a root
 *   container and a checkov finding.
 */
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { parse as parseYaml } from 'yaml';
import { K8S_DIR, ROOT, startControlPlane, type ControlPlane } from '../../../scripts/k8s/control-plane.js';
import { writeOpenApiSchemas } from '../../../scripts/deploy/openapi-schemas.js';
import { readmeSection, valuesDocs } from '../../../scripts/deploy/values-docs.js';
import {
  CHART_DIR,
  StepError,
  checkov,
  createRestrictedNamespace,
  helmInstall,
  helmLint,
  helmTemplate,
  kubeconform,
  parseManifests,
  podSecurity,
  scratch,
  tool,
  valueSets,
} from '../../../scripts/deploy/steps.js';

type Manifest = Record<string, any>;
type Values = Record<string, any>;

const RELEASE = 'shop';
const NAMESPACE = 'shop';
const NAME = 'app.kubernetes.io/name';
const SECRET_LIKE = /PASSWORD|SECRET|TOKEN|KEY|CREDENTIAL|^DATABASE_URL$|^REDIS_URL$|^SMTP_URL$/;

const readYamlFile = (path: string) => parseYaml(readFileSync(path, 'utf8')) as Values;
const supergraphConfig = readYamlFile(join(ROOT, 'supergraph.yaml')) as {
  subgraphs: Record<string, { routing_url: string }>;
};
const SUBGRAPHS = Object.keys(supergraphConfig.subgraphs).sort();
const SERVICES = [...SUBGRAPHS, 'router'];
const chartValues = readYamlFile(join(CHART_DIR, 'values.yaml'));
const sets = valueSets();

/** Helm's merge of a values file over the chart's values: maps merge, anything else replaces. */
function mergeValues(base: Values, over: Values): Values {
  const out: Values = { ...base };
  for (const [key, value] of Object.entries(over ?? {})) {
    const current = out[key];
    if (value === null) delete out[key];
    else if (isMap(value) && isMap(current)) out[key] = mergeValues(current, value);
    else out[key] = value;
  }
  return out;
}
const isMap = (v: unknown): v is Values => typeof v === 'object' && v !== null && !Array.isArray(v);

// ---------------------------------------------------------------------------------------------------
// What the code says, read from the code itself.

/** The subgraph's environment schema (the zod object its config.ts exports). */
async function envKeys(subgraph: string): Promise<string[]> {
  const module = (await import(`../../../subgraphs/${subgraph}/src/config.js`)) as Record<string, unknown>;
  const schema = Object.values(module).find(
    (v): v is { shape: Record<string, unknown> } => typeof v === 'object' && v !== null && 'shape' in v,
  );
  if (!schema) throw new Error(`subgraphs/${subgraph}/src/config.ts exports no environment schema`);
  return Object.keys(schema.shape);
}

interface CodeFacts {
  port: number;
  /** Subgraphs whose `_entities` it calls: its `<NAME>_URL` keys naming a subgraph. */
  entityCalls: string[];
  /** Reads the JWKS of the auth subgraph (AUTH_JWKS_URL). */
  readsJwks: boolean;
  redis: boolean;
  /** Topics its durable consumers handle. */
  consumes: string[];
}

async function codeFacts(subgraph: string, topicByConstant: Map<string, string>): Promise<CodeFacts> {
  const keys = await envKeys(subgraph);
  const src = join(ROOT, 'subgraphs', subgraph, 'src');
  const main = readFileSync(join(src, 'main.ts'), 'utf8');
  const consumerFiles = readdirSync(src).filter((f) => f.endsWith('.consumer.ts'));
  const consumes = new Set<string>();
  for (const file of consumerFiles) {
    // Handler maps are keyed by the contract's topic constants: `[ORDER_PLACED_V1]: ...`.
    for (const [, constant] of readFileSync(join(src, file), 'utf8').matchAll(/\[([A-Z0-9_]+_V\d+)\]\s*:/g)) {
      const topic = topicByConstant.get(constant!);
      if (!topic) throw new Error(`${subgraph}/${file}: ${constant} is no topic of @shop/schema`);
      consumes.add(topic);
    }
  }
  return {
    port: Number(new URL(supergraphConfig.subgraphs[subgraph]!.routing_url).port),
    entityCalls: keys
      .map((k) => /^([A-Z0-9]+)_URL$/.exec(k)?.[1]?.toLowerCase())
      .filter((n): n is string => !!n && SUBGRAPHS.includes(n) && n !== subgraph)
      .sort(),
    readsJwks: keys.includes('AUTH_JWKS_URL'),
    redis: /redisUrl:\s*config\.REDIS_URL/.test(main),
    consumes: [...consumes].sort(),
  };
}

const code = new Map<string, CodeFacts>();
let schemaTopics: string[] = [];
const rendered = new Map<string, Manifest[]>();
const effective = new Map<string, Values>();

beforeAll(async () => {
  tool('helm'); // a clear message when helm is missing: `npm run check:deploy` installs it
  const contract = (await import('@shop/schema')) as Record<string, unknown>;
  const topicByConstant = new Map(
    Object.entries(contract).filter(
      (e): e is [string, string] => typeof e[1] === 'string' && /^[a-z]+\.[a-z-]+\.[a-z-]+\.v\d+$/.test(e[1]),
    ),
  );
  schemaTopics = [...new Set(topicByConstant.values())].sort();
  for (const name of SUBGRAPHS) code.set(name, await codeFacts(name, topicByConstant));
  await Promise.all(
    [...sets].map(async ([name, file]) => {
      const text = await helmTemplate(CHART_DIR, file, { release: RELEASE, namespace: NAMESPACE });
      rendered.set(name, parseManifests(text));
      effective.set(name, mergeValues(chartValues, readYamlFile(file) ?? {}));
    }),
  );
}, 120_000);

const find = (manifests: Manifest[], kind: string, name?: string) =>
  manifests.filter((m) => m.kind === kind && (name === undefined || m.metadata?.name === name));
const one = (manifests: Manifest[], kind: string, name: string): Manifest => {
  const found = find(manifests, kind, name);
  if (found.length !== 1) throw new Error(`expected one ${kind}/${name}, found ${found.length}`);
  return found[0]!;
};

describe('the values describe the code', () => {
  it('every subgraph of supergraph.yaml has its values key, and no other key is there', () => {
    expect(Object.keys(chartValues.subgraphs).sort()).toEqual(SUBGRAPHS);
  });

  it.each(SUBGRAPHS)('%s: port, _entities calls, Redis, consumer group and consumed topics', (name) => {
    const values = chartValues.subgraphs[name];
    const facts = code.get(name)!;
    expect(values.port).toBe(facts.port);
    expect([...values.entityCalls].sort()).toEqual(facts.entityCalls);
    expect(values.redis).toBe(facts.redis);
    expect(values.kafka.consumerGroup).toBe(name);
    expect([...values.kafka.consumes].sort()).toEqual(facts.consumes);
    // Every subgraph but the publisher verifies tokens against the JWKS.
    expect(facts.readsJwks).toBe(true);
  });

  it('the designed _entities edges are exactly users -> auth and inventory, cart, orders -> products', () => {
    const edges = Object.fromEntries(
      [...code].filter(([, f]) => f.entityCalls.length).map(([n, f]) => [n, f.entityCalls]),
    );
    expect(edges).toEqual({
      cart: ['products'],
      inventory: ['products'],
      orders: ['products'],
      users: ['auth'],
    });
  });

  it('the event topics are the contract topics of @shop/schema', () => {
    expect([...chartValues.kafka.topics.events].sort()).toEqual(schemaTopics);
  });

  it('files/supergraph.graphql is schema/supergraph.graphql (after npm run compose: npm run chart:supergraph)', () => {
    expect(readFileSync(join(CHART_DIR, 'files/supergraph.graphql'), 'utf8')).toBe(
      readFileSync(join(ROOT, 'schema/supergraph.graphql'), 'utf8'),
    );
  });
});

describe('the README', () => {
  it("documents every value: its table is values-docs.ts' output for values.yaml", async () => {
    expect(readmeSection()).toBe(await valuesDocs());
  });
});

/**
 * Idle working sets measured on the compiled services (docs/scaling.md): a subgraph 150 to 230 MiB (auth
 * about 300 MiB while it starts), the router about 170 MiB before its WebSocket connections.
 */
const IDLE_MIB: Record<string, number> = { auth: 300, router: 170 };
const IDLE_SUBGRAPH_MIB = 230;
const mebibytes = (quantity: string) => {
  const match = /^(\d+(?:\.\d+)?)(Mi|Gi)$/.exec(quantity);
  if (!match) throw new Error(`unexpected memory quantity ${quantity}`);
  return Number(match[1]) * (match[2] === 'Gi' ? 1024 : 1);
};

describe.each([...sets.keys()])('value set %s', (set) => {
  const manifests = () => rendered.get(set)!;
  const values = () => effective.get(set)!;

  it('every subgraph and the router: Deployment, Service, ServiceAccount, PDB, HPA or ScaledObject', () => {
    const v = values();
    for (const name of SERVICES) {
      const deployment = one(manifests(), 'Deployment', name);
      one(manifests(), 'Service', name);
      one(manifests(), 'ServiceAccount', name);
      expect(find(manifests(), 'PodDisruptionBudget', name)).toHaveLength(
        v.podDisruptionBudget.enabled ? 1 : 0,
      );
      const hpa = find(manifests(), 'HorizontalPodAutoscaler', name);
      const scaledObject = find(manifests(), 'ScaledObject', name);
      // Never both on one Deployment; KEDA for every subgraph consuming Kafka when it is on.
      expect(hpa.length + scaledObject.length).toBeLessThanOrEqual(1);
      const keda = v.keda.enabled && name !== 'router' && v.subgraphs[name].kafka.consumes.length > 0;
      expect(scaledObject).toHaveLength(keda ? 1 : 0);
      expect(hpa).toHaveLength(!keda && v.autoscaling.enabled ? 1 : 0);
      // The autoscaler owns the count; without one the Deployment says it.
      const scaled = hpa.length + scaledObject.length === 1;
      expect('replicas' in deployment.spec).toBe(!scaled);
      for (const scaler of [...hpa, ...scaledObject]) expect(scaler.spec.scaleTargetRef.name).toBe(name);
    }
    // Nothing is rendered for a service that is not in supergraph.yaml.
    // (and the canary Deployments, <service>-canary, of the services canary.services names).
    const canaries: string[] = v.canary.enabled ? v.canary.services : [];
    const deployments = find(manifests(), 'Deployment').map((d) => d.metadata.name as string);
    expect(deployments.sort()).toEqual([...SERVICES, ...canaries.map((c) => `${c}-canary`)].sort());
  });

  it('a KEDA trigger per consumed topic, on the subgraph consumer group, never past the partitions', () => {
    for (const scaledObject of find(manifests(), 'ScaledObject')) {
      const name = scaledObject.metadata.name as string;
      const kafkaTriggers = scaledObject.spec.triggers.filter((t: Manifest) => t.type === 'kafka');
      expect(kafkaTriggers.map((t: Manifest) => t.metadata.topic).sort()).toEqual(code.get(name)!.consumes);
      for (const trigger of kafkaTriggers) {
        expect(trigger.metadata.consumerGroup).toBe(name);
        expect(trigger.metadata.allowIdleConsumers).toBe('false');
      }
    }
  });

  it("an autoscaler's memory target sits above the service's idle working set", () => {
    const tooLow: string[] = [];
    for (const scaler of [
      ...find(manifests(), 'HorizontalPodAutoscaler'),
      ...find(manifests(), 'ScaledObject'),
    ]) {
      const name = scaler.metadata.name as string;
      const target =
        scaler.kind === 'ScaledObject'
          ? Number(scaler.spec.triggers.find((t: Manifest) => t.type === 'memory').metadata.value)
          : scaler.spec.metrics.find((m: Manifest) => m.resource?.name === 'memory').resource.target
              .averageUtilization;
      const request = one(manifests(), 'Deployment', name).spec.template.spec.containers[0].resources.requests
        .memory;
      const atTarget = (mebibytes(request) * target) / 100;
      const idle = IDLE_MIB[name] ?? IDLE_SUBGRAPH_MIB;
      // At or below it, an idle Deployment would be scaled to maxReplicas and stay there.
      if (atTarget <= idle)
        tooLow.push(`${name}: ${target}% of ${request} = ${atTarget} MiB, idle ${idle} MiB`);
    }
    expect(tooLow).toEqual([]);
  });

  it('one name per thing: values key = object names = labels = container = Service = metrics service', () => {
    const v = values();
    for (const name of SERVICES) {
      const port = name === 'router' ? v.router.port : v.subgraphs[name].port;
      const deployment = one(manifests(), 'Deployment', name);
      expect(deployment.metadata.labels[NAME]).toBe(name);
      expect(deployment.spec.selector.matchLabels).toEqual({
        [NAME]: name,
        'app.kubernetes.io/instance': RELEASE,
      });
      const pod = deployment.spec.template;
      expect(pod.metadata.labels[NAME]).toBe(name);
      expect(pod.spec.serviceAccountName).toBe(name);
      expect(pod.spec.containers.map((c: Manifest) => c.name)).toEqual([name]);
      expect(pod.spec.containers[0].ports).toEqual([{ name: 'http', containerPort: port, protocol: 'TCP' }]);
      const service = one(manifests(), 'Service', name);
      expect(service.metadata.labels[NAME]).toBe(name);
      expect(service.spec.selector).toEqual(deployment.spec.selector.matchLabels);
      expect(service.spec.ports).toEqual([
        { name: 'http', port, targetPort: 'http', protocol: 'TCP', appProtocol: 'http' },
      ]);
      for (const kind of [
        'ServiceAccount',
        'PodDisruptionBudget',
        'HorizontalPodAutoscaler',
        'ScaledObject',
      ]) {
        for (const object of find(manifests(), kind, name)) expect(object.metadata.labels[NAME]).toBe(name);
      }
      // Prometheus Operator labels each target service=<Service name>; the process labels its own
      // series service=<the name it was started with> (createLogger / runtimeOptionsFromConfig /
      // createMetrics): the same word, so neither is renamed to exported_service.
      for (const monitor of find(manifests(), 'ServiceMonitor', name)) {
        expect(monitor.spec.selector.matchLabels).toEqual(service.spec.selector);
        expect(monitor.spec.endpoints).toEqual([expect.objectContaining({ port: 'http', path: '/metrics' })]);
        expect(JSON.stringify(monitor.spec)).not.toMatch(/relabel|targetLabels|honorLabels/);
      }
      const main = readFileSync(
        join(ROOT, name === 'router' ? 'router/src/main.ts' : `subgraphs/${name}/src/main.ts`),
        'utf8',
      );
      expect(main).toContain(`createLogger('${name}'`);
      if (name !== 'router') expect(main).toContain(`runtimeOptionsFromConfig('${name}'`);
    }
    expect(readFileSync(join(ROOT, 'router/src/router-metrics.ts'), 'utf8')).toContain(
      "createMetrics('router')",
    );
    expect(find(manifests(), 'ServiceMonitor')).toHaveLength(v.serviceMonitor.enabled ? SERVICES.length : 0);
  });

  it('the router serves schema/supergraph.graphql from a ConfigMap it watches, each subgraph at its Service', () => {
    const v = values();
    const configMap = one(manifests(), 'ConfigMap', 'router-supergraph');
    const supergraph = readFileSync(join(ROOT, 'schema/supergraph.graphql'), 'utf8');
    expect(configMap.data['supergraph.graphql'].trimEnd()).toBe(supergraph.trimEnd());
    const pod = one(manifests(), 'Deployment', 'router').spec.template;
    const container = pod.spec.containers[0];
    const env = Object.fromEntries(container.env.map((e: Manifest) => [e.name, e.value]));
    // A directory mount (no subPath): the kubelet's ConfigMap updates reach it and the router reloads.
    const volume = pod.spec.volumes.find((vol: Manifest) => vol.configMap?.name === 'router-supergraph');
    const mount = container.volumeMounts.find((m: Manifest) => m.name === volume.name);
    expect(mount.subPath).toBeUndefined();
    expect(dirname(env.SUPERGRAPH_PATH)).toBe(mount.mountPath);
    // No checksum annotation: a new supergraph must not restart the router.
    expect(JSON.stringify(pod.metadata.annotations ?? {})).not.toMatch(/checksum/);
    for (const name of SUBGRAPHS) {
      expect(env[`SUBGRAPH_URL_${name.toUpperCase()}`]).toBe(
        `http://${name}:${v.subgraphs[name].port}/graphql`,
      );
    }
    expect(Object.keys(env).filter((k) => k.startsWith('SUBGRAPH_URL_'))).toHaveLength(SUBGRAPHS.length);
  });

  it('NetworkPolicies allow exactly the designed edges', () => {
    const v = values();
    const policies = find(manifests(), 'NetworkPolicy');
    const portOf = (name: string) => (name === 'router' ? v.router.port : v.subgraphs[name].port);
    const jwks = v.jwks.subgraph as string;

    /** A peer as a word: a service of this release, postgres, kafka, dns, or the peer itself. */
    const peerKey = (peer: Manifest): string => {
      const labels = peer.podSelector?.matchLabels ?? {};
      if (!peer.namespaceSelector && !peer.ipBlock) {
        if (labels[NAME] && labels['app.kubernetes.io/instance'] === RELEASE) return labels[NAME];
        if (labels['cnpg.io/cluster'] === v.postgres.cnpg.name && v.postgres.cnpg.enabled) return 'postgres';
        if (labels['cnpg.io/poolerName'] === `${v.postgres.cnpg.name}-pooler-rw`) return 'postgres';
        if (labels['strimzi.io/cluster'] === v.kafka.strimzi.name && v.kafka.strimzi.enabled) return 'kafka';
      }
      if (JSON.stringify([peer]) === JSON.stringify(v.networkPolicy.dns)) return 'dns';
      return JSON.stringify(peer);
    };
    const edges = (rules: Manifest[] | undefined, side: 'from' | 'to') =>
      new Set(
        (rules ?? []).flatMap((rule) => {
          expect(rule.ports?.length).toBeGreaterThan(0); // every rule names its ports
          const peers: Manifest[] | undefined = rule[side];
          return (peers ?? [{ anyone: true }]).flatMap((peer) =>
            rule.ports.map((p: Manifest) => `${peer.anyone ? '*' : peerKey(peer)}:${p.protocol}/${p.port}`),
          );
        }),
      );
    const tcp = (peers: string[], port: number) => peers.map((p) => `${p}:TCP/${port}`);
    const dns = ['dns:UDP/53', 'dns:TCP/53'];
    // With Istio every pod's sidecar reaches istiod (xDS and certificates), and nothing more.
    const mesh: string[] = v.istio.enabled
      ? tcp(
          v.istio.controlPlane.map((p: Manifest) => JSON.stringify(p)),
          15012,
        )
      : [];
    const external = (service: { peers: Manifest[]; port: number }) =>
      tcp(
        service.peers.map((p) => JSON.stringify(p)),
        service.port,
      );
    const metrics = (name: string) =>
      v.serviceMonitor.enabled
        ? tcp(
            v.networkPolicy.metricsFrom.map((p: Manifest) => JSON.stringify(p)),
            portOf(name),
          )
        : [];
    const policyOf = (name: string) => {
      const found = policies.filter((p) => p.spec.podSelector.matchLabels?.[NAME] === name);
      expect(found).toHaveLength(1);
      expect(found[0]!.spec.policyTypes).toEqual(['Ingress', 'Egress']);
      return found[0]!.spec;
    };

    for (const name of SUBGRAPHS) {
      const facts = code.get(name)!;
      const callers = SUBGRAPHS.filter(
        (c) =>
          c !== name &&
          (code.get(c)!.entityCalls.includes(name) || (name === jwks && code.get(c)!.readsJwks)),
      );
      const callees = [...new Set([...facts.entityCalls, ...(name === jwks ? [] : [jwks])])];
      const policy = policyOf(name);
      expect(edges(policy.ingress, 'from')).toEqual(
        new Set([...tcp(['router', ...callers], portOf(name)), ...metrics(name)]),
      );
      expect(edges(policy.egress, 'to')).toEqual(
        new Set([
          ...dns,
          ...mesh,
          ...(v.postgres.cnpg.enabled ? tcp(['postgres'], 5432) : external(v.postgres.external)),
          ...(v.kafka.strimzi.enabled ? tcp(['kafka'], 9092) : external(v.kafka.external)),
          ...(facts.redis ? (v.redis.enabled ? tcp([v.redis.name], 6379) : external(v.redis.external)) : []),
          ...callees.flatMap((callee) => tcp([callee], portOf(callee))),
        ]),
      );
    }

    // Clients reach only the router (anyone, or networkPolicy.routerFrom and the helm test pod); the
    // router reaches DNS and the subgraphs, nothing else.
    const router = policyOf('router');
    const clients = v.networkPolicy.routerFrom.length
      ? tcp(
          [...v.networkPolicy.routerFrom.map((p: Manifest) => JSON.stringify(p)), 'router-test'],
          v.router.port,
        )
      : tcp(['*'], v.router.port);
    expect(edges(router.ingress, 'from')).toEqual(new Set([...clients, ...metrics('router')]));
    expect(edges(router.egress, 'to')).toEqual(
      new Set([...dns, ...mesh, ...SUBGRAPHS.flatMap((s) => tcp([s], portOf(s)))]),
    );
    // Nothing but the router is open to anyone.
    for (const policy of policies) {
      if (policy.metadata.name === 'router') continue;
      for (const rule of policy.spec.ingress ?? []) expect(rule.from?.length).toBeGreaterThan(0);
      for (const rule of policy.spec.egress ?? []) expect(rule.to?.length).toBeGreaterThan(0);
    }
    if (v.redis.enabled) {
      const redis = policyOf(v.redis.name);
      const users = SUBGRAPHS.filter((s) => code.get(s)!.redis);
      expect(edges(redis.ingress, 'from')).toEqual(new Set(tcp(users, 6379)));
      expect(edges(redis.egress, 'to')).toEqual(new Set(mesh));
    }
    if (v.helmTest.enabled) {
      const test = policyOf('router-test');
      expect(edges(test.ingress, 'from')).toEqual(new Set());
      expect(edges(test.egress, 'to')).toEqual(new Set([...dns, ...mesh, ...tcp(['router'], v.router.port)]));
    }
    // Every pod the chart makes is selected by a policy (so everything else is denied to it).
    for (const workload of manifests().filter((m) => ['Deployment', 'StatefulSet', 'Pod'].includes(m.kind))) {
      const labels = (workload.kind === 'Pod' ? workload.metadata : workload.spec.template.metadata).labels;
      expect(policies.some((p) => p.spec.podSelector.matchLabels[NAME] === labels[NAME])).toBe(true);
    }
  });

  it('Istio: STRICT mTLS, subsets on the rendered pod labels, canary routes, the NetworkPolicies as principals', () => {
    const v = values();
    const istioObjects = manifests().filter((m) => /\.istio\.io\//.test(m.apiVersion));
    const canaries: string[] = v.istio.enabled && v.canary.enabled ? v.canary.services : [];
    const deployments = find(manifests(), 'Deployment');
    const podLabels = (d: Manifest) => d.spec.template.metadata.labels as Record<string, string>;
    const matches = (selector: Record<string, string>, labels: Record<string, string>) =>
      Object.entries(selector).every(([k, value]) => labels[k] === value);
    // Every service's pods say which version they are; only canary Deployments say canary.
    for (const d of deployments.filter((d) => SERVICES.includes(d.metadata.name)))
      expect(podLabels(d).version).toBe('stable');
    for (const d of deployments.filter((d) => !SERVICES.includes(d.metadata.name))) {
      const name = (d.metadata.name as string).replace(/-canary$/, '');
      expect(d.metadata.name).toBe(`${name}-canary`);
      expect(canaries).toContain(name);
      const stable = one(manifests(), 'Deployment', name);
      expect(podLabels(d).version).toBe('canary');
      expect(d.spec.selector.matchLabels).toEqual({ ...stable.spec.selector.matchLabels, version: 'canary' });
      expect(d.spec.replicas).toBe(v.canary.replicas);
      expect(d.spec.template.spec.serviceAccountName).toBe(stable.spec.template.spec.serviceAccountName);
      expect(d.spec.template.spec.containers[0].image).toMatch(new RegExp(`:${v.canary.image.tag}$`));
      expect(d.spec.template.spec.containers[0].image).not.toBe(
        stable.spec.template.spec.containers[0].image,
      );
      // The service's Service sends to it too; no autoscaler scales it.
      expect(matches(one(manifests(), 'Service', name).spec.selector, podLabels(d))).toBe(true);
      expect(find(manifests(), 'HorizontalPodAutoscaler', d.metadata.name)).toEqual([]);
      expect(find(manifests(), 'ScaledObject', d.metadata.name)).toEqual([]);
    }
    expect(
      deployments
        .filter((d) => podLabels(d).version === 'canary')
        .map((d) => d.metadata.name)
        .sort(),
    ).toEqual(canaries.map((c) => `${c}-canary`).sort());
    if (!v.istio.enabled) {
      expect(istioObjects).toEqual([]);
      for (const m of find(manifests(), 'ServiceMonitor'))
        for (const e of m.spec.endpoints) expect(e.scheme ?? 'http').toBe('http');
      return;
    }

    // STRICT mTLS for the whole namespace, no port let off.
    const peer = find(manifests(), 'PeerAuthentication');
    expect(peer).toHaveLength(1);
    expect(peer[0]!.metadata.namespace).toBe(NAMESPACE);
    expect(peer[0]!.spec).toEqual({ mtls: { mode: 'STRICT' } });
    expect(istioObjects.map((m) => m.metadata.namespace).every((ns) => ns === NAMESPACE)).toBe(true);

    const principal = (namespace: string, sa: string) => `${v.istio.trustDomain}/ns/${namespace}/sa/${sa}`;
    const policies = find(manifests(), 'NetworkPolicy');
    expect(policies.length).toBeGreaterThan(0); // the AuthorizationPolicies mirror them
    for (const name of SERVICES) {
      const port = name === 'router' ? v.router.port : v.subgraphs[name].port;
      const host = `${name}.${NAMESPACE}.svc.cluster.local`;
      const service = one(manifests(), 'Service', name);
      const pods = deployments.filter((d) => matches(service.spec.selector, podLabels(d)));
      expect(pods.length).toBe(canaries.includes(name) ? 2 : 1);

      // Subsets select exactly the stable pods and exactly the canary pods the chart renders.
      const rule = one(manifests(), 'DestinationRule', name);
      expect(rule.spec.host).toBe(host);
      expect(rule.spec.trafficPolicy.connectionPool).toEqual(v.istio.connectionPool);
      expect(rule.spec.trafficPolicy.outlierDetection).toEqual(v.istio.outlierDetection);
      const subsets = new Map<string, Record<string, string>>(
        rule.spec.subsets.map((s: Manifest) => [s.name, s.labels]),
      );
      expect([...subsets.keys()].sort()).toEqual(['canary', 'stable']);
      const selected = (subset: string) =>
        pods.filter((d) => matches(subsets.get(subset)!, podLabels(d))).map((d) => d.metadata.name);
      expect(selected('stable')).toEqual([name]);
      expect(selected('canary')).toEqual(canaries.includes(name) ? [`${name}-canary`] : []);

      // The header route first, then the weights: 100 in all, canary.weight to the canary.
      const vs = one(manifests(), 'VirtualService', name);
      expect(vs.spec.hosts[0]).toBe(host);
      const destinations = (route: Manifest[]) =>
        route.map((r) => {
          expect(r.destination.host).toBe(host);
          expect(r.destination.port.number).toBe(port);
          return { subset: r.destination.subset as string, weight: (r.weight as number | undefined) ?? 100 };
        });
      if (canaries.includes(name)) {
        expect(vs.spec.http).toHaveLength(2);
        const [header, weighted] = vs.spec.http as Manifest[];
        expect(header!.match).toEqual([{ headers: { 'x-canary': { exact: 'always' } } }]);
        expect(destinations(header!.route)).toEqual([{ subset: 'canary', weight: 100 }]);
        expect(weighted!.match).toBeUndefined();
        const split = destinations(weighted!.route);
        expect(split.reduce((sum, d) => sum + d.weight, 0)).toBe(100);
        expect(split.find((d) => d.subset === 'canary')!.weight).toBe(v.canary.weight);
        expect(split.find((d) => d.subset === 'stable')!.weight).toBe(100 - v.canary.weight);
      } else {
        expect(vs.spec.http).toHaveLength(1);
        expect(vs.spec.http[0].match).toBeUndefined();
        expect(destinations(vs.spec.http[0].route)).toEqual([{ subset: 'stable', weight: 100 }]);
      }

      // Principals on the service's port: exactly the services its NetworkPolicy admits, as the
      // service accounts their Deployments run as (the router's: the ingress gateway instead).
      const policy = one(manifests(), 'AuthorizationPolicy', name);
      expect(policy.spec.action).toBe('ALLOW');
      expect(policy.spec.selector.matchLabels).toEqual(service.spec.selector);
      const onPort = (r: Manifest) => r.to.every((t: Manifest) => t.operation.ports.join() === String(port));
      const rules = policy.spec.rules as Manifest[];
      expect(rules.every(onPort)).toBe(true);
      const [callers, ...rest] = rules;
      expect(callers!.to[0].operation.paths).toBeUndefined();
      const admitted = new Set(callers!.from.flatMap((f: Manifest) => f.source.principals));
      let expected: Set<string>;
      if (name === 'router') {
        const gw = v.istio.ingressGateway;
        expected = new Set([
          principal(gw.namespace, gw.serviceAccount),
          ...(v.helmTest.enabled ? [principal(NAMESPACE, 'default')] : []),
        ]);
      } else {
        const np = policies.find((p) => p.spec.podSelector.matchLabels?.[NAME] === name)!;
        const peers = (np.spec.ingress as Manifest[])
          .flatMap((r) => r.from ?? [])
          .filter((p: Manifest) => !p.namespaceSelector && !p.ipBlock)
          .map((p: Manifest) => p.podSelector.matchLabels as Record<string, string>)
          .filter((l) => l['app.kubernetes.io/instance'] === RELEASE);
        expect(peers.length).toBeGreaterThan(0);
        expected = new Set(
          peers.map((l) =>
            principal(
              NAMESPACE,
              one(manifests(), 'Deployment', l[NAME]!).spec.template.spec.serviceAccountName,
            ),
          ),
        );
      }
      expect(admitted).toEqual(expected);
      // Prometheus: GET /metrics only, when ServiceMonitors scrape.
      expect(rest).toEqual(
        v.serviceMonitor.enabled
          ? [
              {
                from: [
                  {
                    source: {
                      principals: [
                        principal(v.istio.prometheus.namespace, v.istio.prometheus.serviceAccount),
                      ],
                    },
                  },
                ],
                to: [{ operation: { ports: [String(port)], methods: ['GET'], paths: ['/metrics'] } }],
              },
            ]
          : [],
      );
    }
    // ServiceMonitors scrape over Istio mTLS with Prometheus' workload certificate.
    for (const m of find(manifests(), 'ServiceMonitor'))
      for (const e of m.spec.endpoints) {
        expect(e.scheme).toBe('https');
        expect(e.tlsConfig.certFile).toBe(`${v.istio.prometheus.certDir}/cert-chain.pem`);
        expect(e.tlsConfig.keyFile).toBe(`${v.istio.prometheus.certDir}/key.pem`);
      }
    // Nothing Istio but these four kinds, one of each per service (and the one PeerAuthentication).
    expect(istioObjects.length).toBe(1 + 3 * SERVICES.length);
  });

  it('no container runs as root, privileged or without requests and limits; restricted everywhere', () => {
    const pods = manifests().flatMap((m) =>
      m.kind === 'Pod'
        ? [{ owner: `Pod/${m.metadata.name}`, spec: m.spec }]
        : ['Deployment', 'StatefulSet', 'DaemonSet', 'Job'].includes(m.kind)
          ? [{ owner: `${m.kind}/${m.metadata.name}`, spec: m.spec.template.spec }]
          : [],
    );
    expect(pods.length).toBeGreaterThan(SERVICES.length - 1);
    for (const { owner, spec } of pods) {
      const context = `${owner}`;
      expect([context, spec.securityContext.runAsNonRoot]).toEqual([context, true]);
      expect([context, spec.securityContext.seccompProfile]).toEqual([context, { type: 'RuntimeDefault' }]);
      expect([context, spec.automountServiceAccountToken]).toEqual([context, false]);
      for (const key of ['hostNetwork', 'hostPID', 'hostIPC'])
        expect([context, spec[key]]).toEqual([context, undefined]);
      for (const container of [...(spec.initContainers ?? []), ...spec.containers]) {
        const where = `${owner} container ${container.name}`;
        const sc = container.securityContext;
        expect([
          where,
          sc.runAsNonRoot,
          sc.allowPrivilegeEscalation,
          sc.readOnlyRootFilesystem,
          sc.privileged,
        ]).toEqual([where, true, false, true, false]);
        expect([where, sc.runAsUser ?? spec.securityContext.runAsUser]).toEqual([where, expect.any(Number)]);
        expect(sc.runAsUser ?? spec.securityContext.runAsUser).toBeGreaterThan(0);
        expect([where, sc.capabilities]).toEqual([where, { drop: ['ALL'] }]);
        expect([where, sc.seccompProfile ?? spec.securityContext.seccompProfile]).toEqual([
          where,
          { type: 'RuntimeDefault' },
        ]);
        for (const kind of ['requests', 'limits'])
          expect([where, kind, Object.keys(container.resources?.[kind] ?? {}).sort()]).toEqual([
            where,
            kind,
            ['cpu', 'memory'],
          ]);
      }
    }
    // The services' probes: liveness and start-up on /health/live, readiness on /health/ready.
    for (const name of SERVICES) {
      const container = one(manifests(), 'Deployment', name).spec.template.spec.containers[0];
      expect(container.livenessProbe.httpGet.path).toBe('/health/live');
      expect(container.startupProbe.httpGet.path).toBe('/health/live');
      expect(container.readinessProbe.httpGet.path).toBe('/health/ready');
      expect(one(manifests(), 'Deployment', name).spec.strategy.rollingUpdate.maxUnavailable).toBe(0);
    }
    // Pods the operators make from the chart's custom resources get requests and limits too.
    const bounded = (resources: Manifest | undefined) =>
      ['requests', 'limits'].every(
        (k) => resources?.[k]?.cpu !== undefined && resources?.[k]?.memory !== undefined,
      );
    for (const cluster of find(manifests(), 'Cluster')) expect(bounded(cluster.spec.resources)).toBe(true);
    for (const pool of find(manifests(), 'KafkaNodePool')) expect(bounded(pool.spec.resources)).toBe(true);
    for (const kafka of find(manifests(), 'Kafka')) {
      expect(bounded(kafka.spec.entityOperator.topicOperator.resources)).toBe(true);
      expect(bounded(kafka.spec.entityOperator.userOperator.resources)).toBe(true);
    }
    for (const pooler of find(manifests(), 'Pooler')) {
      const pgbouncer = pooler.spec.template.spec.containers.find((c: Manifest) => c.name === 'pgbouncer');
      expect(bounded(pgbouncer.resources)).toBe(true);
    }
  });

  it('secrets only by reference: no Secret rendered, every secret-looking variable from a secretKeyRef', () => {
    expect(find(manifests(), 'Secret')).toEqual([]);
    const containers = manifests().flatMap((m) => {
      const spec = m.kind === 'Pod' ? m.spec : m.spec?.template?.spec;
      return spec?.containers ?? [];
    });
    for (const container of containers) {
      const fromSecret = new Set(
        (container.env ?? []).filter((e: Manifest) => e.valueFrom?.secretKeyRef).map((e: Manifest) => e.name),
      );
      for (const variable of container.env ?? []) {
        if (!SECRET_LIKE.test(variable.name) || variable.valueFrom) continue;
        // A plain value is a credential; a URL's credentials are its user info, which may only be
        // assembled from variables that come from Secrets (`postgres://$(PGUSER):$(PGPASSWORD)@...`).
        const value = String(variable.value);
        const credential = /^[a-z]+:\/\//.test(value)
          ? (/^[a-z]+:\/\/([^@/]*)@/.exec(value)?.[1] ?? '')
          : value;
        const literal = credential
          .replace(/\$\(([A-Z_]+)\)/g, (ref: string, name: string) => (fromSecret.has(name) ? '' : ref))
          .replace(/:/g, '');
        expect([container.name, variable.name, literal]).toEqual([container.name, variable.name, '']);
      }
    }
  });
});

// ---------------------------------------------------------------------------------------------------
// values.schema.json

/** A values file in a scratch folder. */
const work = mkdtempSync(join(tmpdir(), 'chart-spec-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));
let fileCount = 0;
function valuesFile(yaml: string): string {
  const file = join(work, `values-${++fileCount}.yaml`);
  writeFileSync(file, yaml);
  return file;
}
/** The StepError a step throws (fails the test when it does not throw one). */
async function refusal(step: Promise<unknown>): Promise<StepError> {
  const error = await step.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(error instanceof StepError)) throw new Error(`expected a StepError, got ${String(error)}`);
  return error;
}

describe('values.schema.json', () => {
  it.each([
    [
      'an unknown top-level key',
      'autoscalling:\n  enabled: false\n',
      "at '': additional properties 'autoscalling' not allowed",
    ],
    [
      'an unknown key of a subgraph',
      'subgraphs:\n  orders:\n    replicaz: 3\n',
      "at '/subgraphs/orders': additional properties 'replicaz' not allowed",
    ],
    [
      'a subgraph name that is no DNS label',
      'subgraphs:\n  Orders_V2: {}\n',
      "at '/subgraphs': additional properties 'Orders_V2' not allowed",
    ],
    [
      'a string for a number',
      'defaults:\n  replicas: two\n',
      "at '/defaults/replicas': got string, want integer",
    ],
    ['a quoted port', "router:\n  port: '4000'\n", "at '/router/port': got string, want integer"],
    [
      'a value outside the enum',
      'global:\n  image:\n    pullPolicy: Sometimes\n',
      "at '/global/image/pullPolicy': value must be one of",
    ],
    [
      'a bad quantity',
      'defaults:\n  resources:\n    limits:\n      memory: 512MB\n',
      "at '/defaults/resources/limits/memory'",
    ],
    [
      'a container without limits',
      'router:\n  resources:\n    limits: null\n',
      "at '/router/resources': missing property 'limits'",
    ],
    [
      'a list for a map',
      'subgraphs:\n  cart:\n    env: [A]\n',
      "at '/subgraphs/cart/env': got array, want object",
    ],
    [
      'a secret in plain env',
      'subgraphs:\n  auth:\n    env:\n      SIGNING_KEY_SECRET: abc\n',
      "at '/subgraphs/auth/env/SIGNING_KEY_SECRET': value must be '<refused: this name holds a secret; set it in secretEnv",
    ],
  ])('refuses %s, saying where and what', async (_, yaml, message) => {
    const file = valuesFile(yaml);
    const lint = await refusal(helmLint(CHART_DIR, file));
    expect(lint.message).toContain(message);
    const template = await refusal(helmTemplate(CHART_DIR, file, { release: RELEASE, namespace: NAMESPACE }));
    expect(template.message).toContain(message);
  });

  it.each([
    [
      'canary pods without Istio (nothing would split the traffic)',
      'canary:\n  enabled: true\n  services: [orders]\n  image:\n    tag: next\n',
      'canary.enabled needs istio.enabled',
    ],
    [
      'a canary of no service',
      'istio:\n  enabled: true\ncanary:\n  enabled: true\n  services: [shipping]\n  image:\n    tag: next\n',
      'canary.services: shipping is neither a subgraph nor the router',
    ],
    [
      'canary pods without their tag',
      'istio:\n  enabled: true\ncanary:\n  enabled: true\n  services: [orders]\n',
      'canary.image.tag is required when canary.enabled is true',
    ],
    [
      'a canary weight above 100',
      'canary:\n  weight: 101\n',
      "at '/canary/weight': maximum: got 101, want 100",
    ],
  ])('refuses %s', async (_, yaml, message) => {
    const error = await refusal(
      helmTemplate(CHART_DIR, valuesFile(yaml), { release: RELEASE, namespace: NAMESPACE }),
    );
    expect(error.message).toContain(message);
  });

  // A password pasted where the name of a Secret (or a URL without credentials) belongs: refused, and
  // neither rendered nor repeated in helm's message (which CI logs keep).
  const PASSWORD = 'Tr0ub4dor&3-correct-Horse';
  it.each([
    [
      'postgres.external.existingSecret',
      `postgres:\n  cnpg:\n    enabled: false\n  external:\n    existingSecret: '${PASSWORD}'\n`,
      '/postgres/external/existingSecret',
    ],
    [
      'redis.auth.existingSecret',
      `redis:\n  auth:\n    existingSecret: '${PASSWORD}'\n`,
      '/redis/auth/existingSecret',
    ],
    [
      'redis.external.existingSecretKey',
      `redis:\n  external:\n    existingSecret: shop-redis\n    existingSecretKey: '${PASSWORD}'\n`,
      '/redis/external/existingSecretKey',
    ],
    [
      'redis.external.url with a password',
      `redis:\n  enabled: false\n  external:\n    url: 'redis://:${PASSWORD}@redis.internal:6379'\n`,
      '/redis/external/url',
    ],
    [
      'secretEnv secretName',
      `subgraphs:\n  auth:\n    secretEnv:\n      ADMIN_PASSWORD:\n        secretName: '${PASSWORD}'\n        key: admin-password\n`,
      '/subgraphs/auth/secretEnv/ADMIN_PASSWORD/secretName',
    ],
    [
      'secretEnv key',
      `subgraphs:\n  auth:\n    secretEnv:\n      ADMIN_PASSWORD:\n        secretName: shop-auth\n        key: '${PASSWORD}'\n`,
      '/subgraphs/auth/secretEnv/ADMIN_PASSWORD/key',
    ],
    [
      'global.imagePullSecrets',
      `global:\n  imagePullSecrets:\n    - '${PASSWORD}'\n`,
      '/global/imagePullSecrets/0',
    ],
    ['plain env', `router:\n  env:\n    API_TOKEN: '${PASSWORD}'\n`, '/router/env/API_TOKEN'],
  ])('a password in %s is refused and appears nowhere', async (_, yaml, path) => {
    const file = valuesFile(yaml);
    const error = await refusal(helmTemplate(CHART_DIR, file, { release: RELEASE, namespace: NAMESPACE }));
    expect(error.message).toContain(`at '${path}'`);
    expect(error.output).not.toContain(PASSWORD);
    expect(error.output).not.toContain(encodeURIComponent(PASSWORD));
  });

  it('the same fields with Secret names render as secretKeyRefs, no Secret and no value in sight', async () => {
    const file = valuesFile(
      [
        'postgres:\n  cnpg:\n    enabled: false\n  external:\n    existingSecret: shop-postgres\n    existingSecretKey: DATABASE_URL',
        'redis:\n  auth:\n    existingSecret: shop-redis\n    existingSecretKey: password',
        'subgraphs:\n  auth:\n    secretEnv:\n      ADMIN_PASSWORD:\n        secretName: shop-auth\n        key: admin-password',
        '',
      ].join('\n'),
    );
    const manifests = parseManifests(
      await helmTemplate(CHART_DIR, file, { release: RELEASE, namespace: NAMESPACE }),
    );
    expect(find(manifests, 'Secret')).toEqual([]);
    const auth = one(manifests, 'Deployment', 'auth').spec.template.spec.containers[0].env as Manifest[];
    expect(auth.find((e) => e.name === 'ADMIN_PASSWORD')).toEqual({
      name: 'ADMIN_PASSWORD',
      valueFrom: { secretKeyRef: { name: 'shop-auth', key: 'admin-password' } },
    });
    expect(auth.find((e) => e.name === 'DATABASE_URL')?.valueFrom.secretKeyRef).toEqual({
      name: 'shop-postgres',
      key: 'DATABASE_URL',
    });
    expect(auth.find((e) => e.name === 'REDIS_URL')?.value).toBe('redis://:$(REDIS_PASSWORD)@redis:6379');
  });
});

// ---------------------------------------------------------------------------------------------------
// check:deploy's steps on broken input

/** A copy of the chart with `edit` applied to one template (the anchor must be there). */
function brokenChart(template: string, anchor: string | null, replacement: string): string {
  const dir = mkdtempSync(join(work, 'chart-'));
  cpSync(CHART_DIR, dir, { recursive: true, filter: (src) => !src.startsWith(join(CHART_DIR, 'test')) });
  const file = join(dir, 'templates', template);
  if (anchor === null) writeFileSync(file, replacement);
  else {
    const text = readFileSync(file, 'utf8');
    if (!text.includes(anchor)) throw new Error(`${template} no longer contains ${JSON.stringify(anchor)}`);
    writeFileSync(file, text.replace(anchor, replacement));
  }
  return dir;
}

describe("check:deploy's steps fail with the tool's own message", () => {
  const minimal = sets.get('minimal')!;
  let cp: ControlPlane;
  let schemas: string;

  beforeAll(async () => {
    // The minimal value set uses built-in kinds only, so no CRD is needed here.
    cp = await startControlPlane({ stateDir: join(K8S_DIR, 'chart-spec') });
    schemas = scratch('chart-spec', 'schemas');
    rmSync(schemas, { recursive: true, force: true });
    await writeOpenApiSchemas(cp, schemas);
  }, 120_000);
  afterAll(async () => {
    await cp?.stop();
  });

  it('a broken template: helm lint and helm template', async () => {
    const chart = brokenChart('broken.yaml', null, '{{- if .Values.router }}\nkind: ConfigMap\n');
    const lint = await refusal(helmLint(chart, minimal));
    expect(lint.message).toMatch(
      /helm lint --strict \(minimal-values\.yaml\) failed:[\s\S]*broken\.yaml.*unexpected EOF/,
    );
    const template = await refusal(helmTemplate(chart, minimal, { release: RELEASE, namespace: NAMESPACE }));
    expect(template.message).toMatch(/broken\.yaml.*unexpected EOF/);
  });

  it('a mistyped value: helm lint', async () => {
    const lint = await refusal(helmLint(CHART_DIR, valuesFile('router:\n  replicas: "3"\n')));
    expect(lint.message).toContain("at '/router/replicas': got string, want integer");
  });

  it('a field no Kubernetes schema has: kubeconform -strict', async () => {
    const chart = brokenChart(
      '_workload.tpl',
      '      enableServiceLinks: false\n',
      '      enableServiceLinks: false\n      enableServiceLink: false\n',
    );
    const file = join(work, 'unknown-field.yaml');
    await helmTemplate(chart, minimal, { release: RELEASE, namespace: NAMESPACE, outFile: file });
    const error = await refusal(kubeconform(file, schemas));
    expect(error.message).toMatch(
      /Deployment orders is invalid: .*additional properties 'enableServiceLink' not allowed/,
    );
  });

  it('a manifest every schema accepts and the API server refuses: helm install', async () => {
    // A selector the pod template's labels do not match: valid JSON, refused by the API server.
    const chart = brokenChart(
      '_workload.tpl',
      '  selector:\n    matchLabels:\n      {{- include "ecommerce.selectorLabels" . | nindent 6 }}\n',
      '  selector:\n    matchLabels:\n      {{- include "ecommerce.selectorLabels" . | nindent 6 }}\n      tier: api\n',
    );
    const file = join(work, 'selector.yaml');
    await helmTemplate(chart, minimal, { release: RELEASE, namespace: NAMESPACE, outFile: file });
    await kubeconform(file, schemas); // the schemas see nothing wrong
    await createRestrictedNamespace(cp, 'selector');
    const error = await refusal(
      helmInstall(cp, chart, { release: 'selector', namespace: 'selector', valuesFile: minimal }),
    );
    expect(error.message).toContain('helm install selector (minimal-values.yaml) failed');
    expect(error.message).toMatch(
      /spec\.template\.metadata\.labels: Invalid value: .*`selector` does not match template `labels`/,
    );
  });

  it('a container running as root: pod admission (Pod Security restricted)', async () => {
    const chart = brokenChart(
      '_helpers.tpl',
      'runAsNonRoot: true\nrunAsUser: 10001\nrunAsGroup: 10001\nallowPrivilegeEscalation: false',
      'runAsNonRoot: false\nrunAsUser: 0\nrunAsGroup: 0\nallowPrivilegeEscalation: false',
    );
    const manifests = parseManifests(
      await helmTemplate(chart, minimal, { release: RELEASE, namespace: NAMESPACE }),
    );
    await createRestrictedNamespace(cp, 'root');
    // The API server stores a Deployment whose pods would violate the namespace's Pod Security level,
    // with a warning: helmInstall fails on it.
    const install = await refusal(
      helmInstall(cp, chart, { release: 'root', namespace: 'root', valuesFile: minimal }),
    );
    expect(install.message).toMatch(
      /would violate PodSecurity \\*"restricted:latest\\*": runAsNonRoot != true \(container \\*"orders\\*"/,
    );
    // Offered as pods, they are refused outright.
    const error = await refusal(podSecurity(cp, 'root', manifests));
    expect(error.message).toMatch(
      /Deployment\/orders: .*violates PodSecurity "restricted:latest": .*runAsNonRoot != true/,
    );
  });

  it('a writable root filesystem: checkov', async () => {
    const chart = brokenChart(
      '_helpers.tpl',
      'readOnlyRootFilesystem: true',
      'readOnlyRootFilesystem: false',
    );
    const dir = mkdtempSync(join(work, 'checkov-'));
    await helmTemplate(chart, minimal, {
      release: RELEASE,
      namespace: NAMESPACE,
      outFile: join(dir, 'minimal.yaml'),
    });
    const error = await refusal(checkov(dir));
    expect(error.message).toMatch(
      /Check: CKV_K8S_22: "Use read-only filesystem for containers where possible"\n\tFAILED for resource: Deployment\.shop\.orders/,
    );
  }, 120_000);
});
