/**
 * npm run check:deploy: the Helm chart, proven on a real Kubernetes API server.
 *
 *  1. tools into .local (helm, kubeconform, checkov; scripts/deploy/tools.sh) and etcd + kube-apiserver
 *     into .local/k8s/bin (scripts/k8s/build.sh): built once, seconds afterwards;
 *  2. etcd + kube-apiserver on loopback (scripts/k8s/control-plane.ts), every operator CRD of deploy/crds
 *     server-side applied and Established, strict JSON schemas of every kind from its /openapi/v3;
 *     the cluster-wide Istio policy of istio/ server-side applied (strict field validation);
 *  3. for every value set of helm/ecommerce-platform/ci/: helm lint --strict, helm template,
 *     kubeconform -strict (and istio/'s manifests); checkov on all rendered manifests (skips:
 *     scripts/deploy/checkov-skips.yaml);
 *  4. for every value set: a namespace enforcing Pod Security `restricted`, every pod the set would
 *     create offered to admission as a dry-run Pod, `helm install`, then `helm upgrade` with the
 *     production values;
 *  5. kube-apiserver and etcd stopped (always).
 * The first failing step ends the check with the tool's own message (exit 1).
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  KUBERNETES_VERSION,
  ROOT,
  K8S_DIR,
  startControlPlane,
  type ControlPlane,
} from './k8s/control-plane.js';
import { writeOpenApiSchemas } from './deploy/openapi-schemas.js';
import {
  CHART_DIR,
  CRD_DIR,
  MESH_DIR,
  StepError,
  applyCustomResources,
  checkov,
  createRestrictedNamespace,
  helmInstall,
  helmLint,
  helmTemplate,
  installCrds,
  kubeconform,
  meshManifests,
  parseManifests,
  podSecurity,
  scratch,
  valueSets,
} from './deploy/steps.js';

const started = Date.now();
const seconds = (since: number) => `${((Date.now() - since) / 1000).toFixed(1)} s`;

async function step<T>(name: string, body: () => Promise<T> | T): Promise<T> {
  const t0 = Date.now();
  process.stdout.write(`==> ${name}`);
  const result = await body();
  process.stdout.write(` (${seconds(t0)})\n`);
  return result;
}

/** Schemas generated from the API server, kept while the Kubernetes version and the CRDs stay the same. */
async function builtinSchemas(cp: ControlPlane): Promise<string> {
  const dir = join(K8S_DIR, 'schemas', KUBERNETES_VERSION);
  const hash = createHash('sha256');
  for (const f of readdirSync(CRD_DIR, { recursive: true, encoding: 'utf8' }).sort())
    if (f.endsWith('.yaml')) hash.update(f).update(readFileSync(join(CRD_DIR, f)));
  const stamp = join(dir, '.crds.sha256');
  const key = hash.digest('hex');
  if (existsSync(stamp) && readFileSync(stamp, 'utf8') === key) return dir;
  rmSync(dir, { recursive: true, force: true });
  const count = await writeOpenApiSchemas(cp, dir);
  writeFileSync(stamp, key);
  process.stdout.write(` [${count} schemas generated]`);
  return dir;
}

async function main() {
  await step('tools (helm, kubeconform, checkov)', () =>
    execFileSync('bash', [join(ROOT, 'scripts/deploy/tools.sh')], { stdio: 'inherit' }),
  );
  await step('etcd and kube-apiserver binaries', () =>
    execFileSync('bash', [join(ROOT, 'scripts/k8s/build.sh'), 'etcd', 'kube-apiserver'], {
      stdio: 'inherit',
    }),
  );

  const sets = valueSets();
  const production = sets.get('production');
  if (!production) throw new Error('helm/ecommerce-platform/ci/production-values.yaml is missing');
  const renderedDir = scratch('rendered');
  for (const f of readdirSync(renderedDir)) rmSync(join(renderedDir, f));

  // The control plane starts while the chart is linted and rendered.
  const controlPlane = startControlPlane();
  controlPlane.catch(() => undefined);
  let cp: ControlPlane | undefined;
  try {
    await step(`helm lint --strict (${[...sets.keys()].join(', ')})`, () =>
      Promise.all([...sets.values()].map((file) => helmLint(CHART_DIR, file))),
    );
    const manifests = await step('helm template', async () => {
      const rendered = await Promise.all(
        [...sets].map(async ([name, file]) => {
          const text = await helmTemplate(CHART_DIR, file, {
            release: `vs-${name}`,
            namespace: `vs-${name}`,
            outFile: join(renderedDir, `${name}.yaml`),
          });
          return [name, parseManifests(text)] as const;
        }),
      );
      return new Map(rendered);
    });
    cp = await step('etcd + kube-apiserver ready', () => controlPlane);
    const crds = await step('operator CRDs server-side applied and Established', () => installCrds(cp!));
    process.stdout.write(`    ${crds} CRDs\n`);
    const mesh = await step('istio/ (cluster-wide Istio policy) server-side applied', () =>
      applyCustomResources(cp!, meshManifests()),
    );
    process.stdout.write(`    ${mesh} resources\n`);
    const schemas = await step(`JSON schemas from /openapi/v3 (${KUBERNETES_VERSION})`, () =>
      builtinSchemas(cp!),
    );
    await step('kubeconform -strict', async () => {
      for (const name of sets.keys()) await kubeconform(join(renderedDir, `${name}.yaml`), schemas);
      for (const f of readdirSync(MESH_DIR)
        .filter((f) => f.endsWith('.yaml'))
        .sort())
        await kubeconform(join(MESH_DIR, f), schemas);
    });
    await step('checkov', () => checkov(renderedDir));
    for (const [name, file] of sets) {
      const namespace = `vs-${name}`;
      await step(`${name}: pod admission, helm install, helm upgrade (production values)`, async () => {
        await createRestrictedNamespace(cp!, namespace);
        await helmInstall(cp!, CHART_DIR, { release: namespace, namespace, valuesFile: file });
        await podSecurity(cp!, namespace, manifests.get(name)!);
        await helmInstall(cp!, CHART_DIR, {
          release: namespace,
          namespace,
          valuesFile: production,
          upgrade: true,
        });
      });
    }
  } finally {
    cp ??= await controlPlane.catch(() => undefined);
    if (cp) await step('kube-apiserver and etcd stopped', () => cp!.stop());
  }
  console.log(`check:deploy passed in ${seconds(started)}`);
}

main().catch((error: unknown) => {
  process.stdout.write('\n');
  console.error(error instanceof StepError ? error.message : error);
  console.error(`check:deploy FAILED after ${seconds(started)}`);
  process.exit(1);
});
