/**
 * The Argo CD objects on a real kube-apiserver with the operators' CRDs (Argo CD v3's among them), as
 * `npm run check:deploy` starts it (scripts/k8s/control-plane.ts, scripts/deploy/steps.ts):
 * - kubeconform -strict accepts the AppProject and the ApplicationSet, and the API server stores them
 *   with strict field validation;
 * - the Applications the ApplicationSet generates (its template filled in with each environment's
 *   environment.yaml, as the ApplicationSet controller's git files generator does) are accepted too;
 * - each environment's release (the chart's production value set, then the environment's values.yaml)
 *   renders only kinds the AppProject allows, runs the images cd.yml pushes, and installs into a Pod
 *   Security `restricted` namespace, as Argo CD would create it.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { K8S_DIR, ROOT, startControlPlane, type ControlPlane } from '../../scripts/k8s/control-plane.js';
import {
  CHART_DIR,
  createRestrictedNamespace,
  installCrds,
  kubeconform,
  parseManifests,
  run,
  scratch,
  tool,
} from '../../scripts/deploy/steps.js';
import { ARGOCD_DIR, readEnvironments, type Environment } from '../src/environments.js';

type Manifest = Record<string, any>;
interface ResourceRule {
  group: string;
  kind: string;
}

const readYaml = (file: string): Manifest => parseManifests(readFileSync(file, 'utf8'))[0]!;
const project = readYaml(join(ARGOCD_DIR, 'project.yaml'));
const applicationSet = readYaml(join(ARGOCD_DIR, 'applicationset.yaml'));
const environments = readEnvironments();
const work = scratch('argocd');
let cp: ControlPlane;
/** `<group>/<kind>` -> namespaced?, from the API server's discovery (built-in kinds and every CRD). */
const namespaced = new Map<string, boolean>();

/**
 * The ApplicationSet controller's rendering of its template for one git files generator match, for the
 * subset of Go templates the template uses: `{{.key}}` and `{{.path.<key>}}` only, a missing key an error
 * (missingkey=error). Anything else in `{{ }}` fails, so the emulation never silently diverges.
 */
function renderApplication(environment: Environment): Manifest {
  const file = relative(ROOT, join(environment.dir, 'environment.yaml'));
  const params: Record<string, unknown> = {
    ...environment.parameters,
    path: { path: relative(ROOT, environment.dir), basename: environment.name, filename: 'environment.yaml' },
  };
  const fill = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(fill);
    if (value && typeof value === 'object')
      return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, fill(v)]));
    if (typeof value !== 'string') return value;
    return value.replace(/\{\{(.*?)\}\}/g, (_, expression: string) => {
      const key = /^\s*\.([\w.]+)\s*$/.exec(expression)?.[1];
      if (!key) throw new Error(`unsupported template expression {{${expression}}}`);
      const found = key.split('.').reduce<any>((object, part) => object?.[part], params);
      if (typeof found !== 'string') throw new Error(`${file}: map has no entry for key "${key}"`);
      return found;
    });
  };
  const template = applicationSet.spec.template;
  return {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'Application',
    metadata: { ...(fill(template.metadata) as Manifest), namespace: applicationSet.metadata.namespace },
    spec: fill(template.spec),
  };
}

/** Server-side apply with strict field validation; resolves with the stored object. */
async function apply(manifest: Manifest, plural: string): Promise<Manifest> {
  const [group, version] = (manifest.apiVersion as string).split('/');
  const path = `/apis/${group}/${version}/namespaces/${manifest.metadata.namespace}/${plural}/${manifest.metadata.name}`;
  const response = await cp.api(
    'PATCH',
    `${path}?fieldManager=argocd-spec&force=true&fieldValidation=Strict`,
    JSON.stringify(manifest),
    'application/apply-patch+yaml',
  );
  if (response.status >= 300) throw new Error(`${manifest.kind} ${manifest.metadata.name}: ${response.body}`);
  return response.json<Manifest>();
}

async function discoverScopes(): Promise<void> {
  const groupVersions = ['/api/v1'];
  const groups = (await cp.api('GET', '/apis')).json<{
    groups: { versions: { groupVersion: string }[] }[];
  }>();
  for (const group of groups.groups)
    for (const v of group.versions) groupVersions.push(`/apis/${v.groupVersion}`);
  for (const path of groupVersions) {
    const list = (await cp.api('GET', path)).json<{
      groupVersion: string;
      resources: { kind: string; namespaced: boolean; name: string }[];
    }>();
    const group = list.groupVersion.includes('/') ? list.groupVersion.split('/')[0]! : '';
    for (const resource of list.resources)
      if (!resource.name.includes('/')) namespaced.set(`${group}/${resource.kind}`, resource.namespaced);
  }
}

/** The release of one environment as Argo CD renders it: chart, production value set, then the environment's values. */
function helmArgs(environment: Environment): string[] {
  const source = applicationSet.spec.template.spec.sources[0];
  const valueFiles = (source.helm.valueFiles as string[]).map((file) =>
    file.startsWith('$values/')
      ? join(ROOT, file.slice('$values/'.length).replace('{{.path.basename}}', environment.name))
      : join(CHART_DIR, file),
  );
  return [
    CHART_DIR,
    '--namespace',
    environment.parameters.namespace,
    ...valueFiles.flatMap((f) => ['-f', f]),
  ];
}

function rendered(environment: Environment): Manifest[] {
  const source = applicationSet.spec.template.spec.sources[0];
  const output = execFileSync(
    tool('helm'),
    ['template', source.helm.releaseName, ...helmArgs(environment), '--skip-tests'],
    {
      encoding: 'utf8',
      maxBuffer: 64 * 1024 * 1024,
    },
  );
  return parseManifests(output);
}

beforeAll(async () => {
  // Idempotent: a second run only checks the version stamps. A fresh machine builds kube-apiserver.
  execFileSync('bash', [join(ROOT, 'scripts/k8s/build.sh'), 'etcd', 'kube-apiserver'], { stdio: 'inherit' });
  execFileSync('bash', [join(ROOT, 'scripts/deploy/tools.sh'), 'helm', 'kubeconform'], { stdio: 'inherit' });
  cp = await startControlPlane({ stateDir: join(K8S_DIR, 'argocd-check') });
  await installCrds(cp);
  await discoverScopes();
  const response = await cp.api('POST', '/api/v1/namespaces', {
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: { name: 'argocd' },
  });
  if (response.status >= 300) throw new Error(response.body);
}, 30 * 60_000);

afterAll(async () => {
  await cp?.stop();
});

describe('argocd/', () => {
  it('has two environments: staging follows main, production a release tag', () => {
    expect(environments.map((e) => e.name)).toEqual(['production', 'staging']);
    const byName = Object.fromEntries(environments.map((e) => [e.name, e.parameters]));
    expect(byName.staging!.chartRevision).toBe('main');
    expect(byName.production!.chartRevision).toMatch(/^v\d+\.\d+\.\d+/);
  });

  it('kubeconform -strict accepts the AppProject and the ApplicationSet', async () => {
    for (const file of ['project.yaml', 'applicationset.yaml']) {
      await expect(kubeconform(join(ARGOCD_DIR, file), work)).resolves.toBeUndefined();
    }
  });

  it('kubeconform -strict refuses a misspelt field, so the check above can fail', async () => {
    const broken = join(work, 'broken-project.yaml');
    writeFileSync(
      broken,
      readFileSync(join(ARGOCD_DIR, 'project.yaml'), 'utf8').replace('sourceRepos:', 'sourceRepo:'),
    );

    await expect(kubeconform(broken, work)).rejects.toThrow(/sourceRepo/);
  });

  it('the API server stores the AppProject and the ApplicationSet', async () => {
    const storedProject = await apply(project, 'appprojects');
    const storedSet = await apply(applicationSet, 'applicationsets');

    expect(storedProject.spec.sourceRepos).toEqual(project.spec.sourceRepos);
    expect(storedSet.spec.template.spec.sources).toEqual(applicationSet.spec.template.spec.sources);
  });

  it('the API server refuses an ApplicationSet with an unknown field (strict validation)', async () => {
    const broken = structuredClone(applicationSet);
    broken.metadata.name = 'shop-broken';
    broken.spec.template.spec.syncPolicy.automated.prunes = true;

    await expect(apply(broken, 'applicationsets')).rejects.toThrow(
      /\.spec\.template\.spec\.syncPolicy\.automated\.prunes: field not declared in schema/,
    );
  });

  it('generates one Application per environment, each stored by the API server and inside the project', async () => {
    const generator = applicationSet.spec.generators[0].git;
    const pattern = new RegExp(
      `^${(generator.files[0].path as string)
        .split('*')
        .map((p) => p.replace(/[.]/g, '\\.'))
        .join('[^/]+')}$`,
    );
    const repos = new Set(project.spec.sourceRepos as string[]);
    expect(repos.has(generator.repoURL)).toBe(true);

    for (const environment of environments) {
      expect(relative(ROOT, join(environment.dir, 'environment.yaml'))).toMatch(pattern);
      const application = renderApplication(environment);
      const file = join(work, `application-${environment.name}.yaml`);
      writeFileSync(file, JSON.stringify(application));
      await kubeconform(file, work);
      const stored = await apply(application, 'applications');

      expect(stored.metadata.name).toBe(`shop-${environment.name}`);
      expect(stored.spec.project).toBe(project.metadata.name);
      expect(stored.spec.sources[0].targetRevision).toBe(environment.parameters.chartRevision);
      expect(stored.spec.sources[0].helm.valueFiles[1]).toBe(
        `$values/argocd/environments/${environment.name}/values.yaml`,
      );
      expect(stored.spec.sources.every((s: Manifest) => repos.has(s.repoURL))).toBe(true);
      expect(project.spec.destinations).toContainEqual({
        server: environment.parameters.server,
        namespace: environment.parameters.namespace,
      });
    }
  });

  describe.each(environments.map((e) => [e.name, e] as const))('the %s release', (_name, environment) => {
    let manifests: Manifest[];
    beforeAll(() => {
      manifests = rendered(environment);
    });

    it('renders only kinds the AppProject allows', () => {
      const allowed = (rules: ResourceRule[], group: string, kind: string) =>
        rules.some((r) => (r.group === group || r.group === '*') && (r.kind === kind || r.kind === '*'));
      const refused = manifests
        .map((m) => ({
          group: (m.apiVersion as string).includes('/') ? (m.apiVersion as string).split('/')[0]! : '',
          kind: m.kind as string,
        }))
        .filter(({ group, kind }) => {
          const isNamespaced = namespaced.get(`${group}/${kind}`);
          if (isNamespaced === undefined) return true;
          return !allowed(
            isNamespaced ? project.spec.namespaceResourceWhitelist : project.spec.clusterResourceWhitelist,
            group,
            kind,
          );
        })
        .map(({ group, kind }) => `${group || 'core'}/${kind}`);

      expect(manifests.length).toBeGreaterThan(20);
      expect([...new Set(refused)]).toEqual([]);
      // CreateNamespace=true: Argo CD creates the namespace, a cluster-scoped Namespace.
      expect(allowed(project.spec.clusterResourceWhitelist, '', 'Namespace')).toBe(true);
    });

    it('runs the images cd.yml pushes: <registry>/shop-<service>:<tag> for the router and every subgraph', () => {
      const image = readYaml(environment.valuesFile).global.image;
      const services = ['router', ...readdirSync(join(ROOT, 'subgraphs'))].sort();
      const deployments = manifests.filter((m) => m.kind === 'Deployment');
      const images = Object.fromEntries(
        deployments.map((d) => [
          d.metadata.labels['app.kubernetes.io/name'],
          d.spec.template.spec.containers.map((c: Manifest) => c.image),
        ]),
      );

      expect(Object.keys(images).sort()).toEqual(services);
      for (const service of services)
        expect(images[service]).toEqual([`${image.registry}/shop-${service}:${image.tag}`]);
    });

    it('installs into a Pod Security restricted namespace', async () => {
      await createRestrictedNamespace(cp, environment.parameters.namespace);
      const source = applicationSet.spec.template.spec.sources[0];
      const output = await run(`helm install (${environment.name})`, tool('helm'), [
        'install',
        source.helm.releaseName,
        ...helmArgs(environment),
        '--kubeconfig',
        cp.kubeconfig,
        '--wait=hookOnly',
        '--timeout',
        '2m',
      ]);

      expect(output).toContain('STATUS: deployed');
    }, 180_000);
  });
});
