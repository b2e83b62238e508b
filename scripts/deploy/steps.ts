/**
 * The steps of `npm run check:deploy`, each a function the check runs and the chart's specs call on a
 * broken copy of the chart. A failing step throws a {@link StepError} whose message is the tool's own
 * output (helm's, kubeconform's, checkov's, the API server's).
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { parseAllDocuments, parse as parseYaml } from 'yaml';
import { ROOT, type ControlPlane } from '../k8s/control-plane.js';

export const TOOLS_BIN = join(ROOT, '.local/tools/bin');
export const CHART_DIR = join(ROOT, 'helm/ecommerce-platform');
export const CRD_DIR = join(ROOT, 'deploy/crds');
export const CRD_SCHEMA_DIR = join(ROOT, 'deploy/schemas/crds');
export const CHECKOV_SKIPS = join(ROOT, 'scripts/deploy/checkov-skips.yaml');

/** A step's failure: `output` is what the tool printed. */
export class StepError extends Error {
  constructor(
    readonly step: string,
    readonly output: string,
  ) {
    super(`${step} failed:\n${output.trim()}`);
  }
}

/** A tool installed by scripts/deploy/tools.sh; fails saying how to install it when it is missing. */
export function tool(name: 'helm' | 'kubeconform' | 'checkov'): string {
  const path = join(TOOLS_BIN, name);
  if (!existsSync(path))
    throw new Error(
      `${path} is missing: install it with \`bash scripts/deploy/tools.sh ${name}\` (npm run check:deploy does)`,
    );
  return path;
}

/** Runs a command to its end: exit code, stdout and stderr. */
export function exec(
  command: string,
  args: string[],
  env: NodeJS.ProcessEnv = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolveRun, reject) => {
    execFile(
      command,
      args,
      { env: { ...process.env, ...env }, maxBuffer: 256 * 1024 * 1024 },
      (error, stdout, stderr) => {
        if (error && typeof error.code !== 'number') reject(error);
        else resolveRun({ code: error ? Number(error.code) : 0, stdout, stderr });
      },
    );
  });
}

/** Runs a command; resolves with its stdout, or throws a StepError with what it printed. */
export async function run(step: string, command: string, args: string[], env: NodeJS.ProcessEnv = {}) {
  const { code, stdout, stderr } = await exec(command, args, env);
  if (code !== 0) throw new StepError(step, `${stderr}\n${stdout}`.trim() || `exit code ${code}`);
  return stdout;
}

/** The value sets under the chart's ci/ folder: name (`production`) -> file. */
export function valueSets(chartDir = CHART_DIR): Map<string, string> {
  const dir = join(chartDir, 'ci');
  return new Map(
    readdirSync(dir)
      .filter((f) => f.endsWith('-values.yaml'))
      .sort()
      .map((f) => [f.replace(/-values\.yaml$/, ''), join(dir, f)]),
  );
}

/** `helm lint --strict` with one value set (the values schema is checked here too). */
export async function helmLint(chartDir: string, valuesFile: string): Promise<void> {
  await run(`helm lint --strict (${basename(valuesFile)})`, tool('helm'), [
    'lint',
    '--strict',
    chartDir,
    '-f',
    valuesFile,
  ]);
}

/** `helm template` with one value set, written to `outFile`; returns the manifests' text. */
export async function helmTemplate(
  chartDir: string,
  valuesFile: string,
  options: { release: string; namespace: string; outFile?: string },
): Promise<string> {
  const manifests = await run(`helm template (${basename(valuesFile)})`, tool('helm'), [
    'template',
    options.release,
    chartDir,
    '--namespace',
    options.namespace,
    '-f',
    valuesFile,
  ]);
  if (options.outFile) writeFileSync(options.outFile, manifests);
  return manifests;
}

/** Parses a multi-document manifest stream (empty documents dropped). */
export function parseManifests(text: string): Record<string, any>[] {
  return parseAllDocuments(text)
    .map((d) => {
      if (d.errors.length > 0) throw new Error(d.errors.map((e) => e.message).join('\n'));
      return d.toJS() as Record<string, any> | null;
    })
    .filter((d): d is Record<string, any> => d !== null && typeof d === 'object');
}

/**
 * `kubeconform -strict` on rendered manifests: custom resources against the copied CRD schemas first,
 * then everything against the schemas generated from the API server's OpenAPI (`builtinSchemaDir`). No
 * schema is downloaded; a kind without a schema is an error.
 */
export async function kubeconform(manifestFile: string, builtinSchemaDir: string): Promise<void> {
  const layout = '{{.Group}}/{{.ResourceKind}}_{{.ResourceAPIVersion}}.json';
  await run(`kubeconform (${basename(manifestFile)})`, tool('kubeconform'), [
    '-strict',
    '-summary',
    '-output',
    'text',
    '-schema-location',
    join(CRD_SCHEMA_DIR, layout),
    '-schema-location',
    join(builtinSchemaDir, layout),
    manifestFile,
  ]);
}

interface CheckovSkip {
  id: string;
  reason: string;
  resources?: string[];
}

/** The skip list, each entry checked to carry its reason. */
export function checkovSkips(file = CHECKOV_SKIPS): CheckovSkip[] {
  const skips = parseYaml(readFileSync(file, 'utf8')) as CheckovSkip[];
  for (const skip of skips) {
    if (!/^CKV2?_K8S_\d+$/.test(skip.id) || !skip.reason?.trim())
      throw new Error(`${file}: every skip needs a checkov id and a reason (${JSON.stringify(skip)})`);
  }
  return skips;
}

const globMatch = (pattern: string, value: string) =>
  new RegExp(
    `^${pattern
      .split('*')
      .map((p) => p.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
      .join('[^.]*')}$`,
  ).test(value);

interface CheckovFailure {
  check_id: string;
  check_name: string;
  resource: string;
  file_path: string;
  file_line_range: [number, number];
  guideline?: string;
}

/**
 * checkov (framework kubernetes) on the rendered manifests in `manifestDir`. Checks of the skip list
 * without `resources` are skipped outright; the others only for the resources they name. Any other
 * failed check fails the step, reported as checkov reports it.
 */
export async function checkov(manifestDir: string, skips = checkovSkips()): Promise<{ passed: number }> {
  const global = skips.filter((s) => !s.resources).map((s) => s.id);
  const args = ['-d', manifestDir, '--framework', 'kubernetes', '--compact', '--quiet', '-o', 'json'];
  if (global.length) args.push('--skip-check', global.join(','));
  // BC_SKIP_MAPPING: no request for Prisma Cloud's guideline mapping (there is no network for it).
  const env = { BC_SKIP_MAPPING: 'TRUE', CHECKOV_RUN_SCA_PACKAGE_SCAN_V2: 'false', LOG_LEVEL: 'WARNING' };
  // checkov exits 1 when a check failed; its JSON report is on stdout either way.
  const { code, stdout, stderr } = await exec(tool('checkov'), args, env);
  if (code !== 0 && code !== 1) throw new StepError('checkov', `${stderr}\n${stdout}`);
  type Report = { results?: { failed_checks?: CheckovFailure[] }; summary?: { passed?: number } };
  let reports: Report[];
  try {
    reports = ([] as Report[]).concat(JSON.parse(stdout) as Report | Report[]);
  } catch {
    throw new StepError('checkov', `${stderr}\n${stdout}`);
  }
  const failures = reports
    .flatMap((r) => r.results?.failed_checks ?? [])
    .filter(
      (f) => !skips.some((s) => s.id === f.check_id && s.resources?.some((p) => globMatch(p, f.resource))),
    );
  if (failures.length > 0) {
    throw new StepError(
      'checkov',
      failures
        .map(
          (f) =>
            `Check: ${f.check_id}: "${f.check_name}"\n\tFAILED for resource: ${f.resource}\n\tFile: ${f.file_path}:${f.file_line_range.join('-')}` +
            (f.guideline ? `\n\tGuide: ${f.guideline}` : ''),
        )
        .join('\n'),
    );
  }
  return { passed: reports.reduce((n, r) => n + (r.summary?.passed ?? 0), 0) };
}

/** Every CRD document under `dir` (recursively, *.yaml). */
export function crdDocuments(dir = CRD_DIR): Record<string, any>[] {
  const files = readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.yaml'));
  return files
    .sort()
    .flatMap((f) => parseManifests(readFileSync(join(dir, f), 'utf8')))
    .filter((d) => d.kind === 'CustomResourceDefinition');
}

/** Server-side applies every CRD, then waits until each is Established. */
export async function installCrds(cp: ControlPlane, dir = CRD_DIR, timeoutMs = 60_000): Promise<number> {
  const crds = crdDocuments(dir);
  await Promise.all(
    crds.map(async (crd) => {
      const name = crd.metadata.name as string;
      const response = await cp.api(
        'PATCH',
        `/apis/apiextensions.k8s.io/v1/customresourcedefinitions/${name}?fieldManager=check-deploy&force=true`,
        crd,
        'application/apply-patch+yaml',
      );
      if (response.status >= 300) throw new StepError(`install CRD ${name}`, response.body);
    }),
  );
  const deadline = Date.now() + timeoutMs;
  for (const crd of crds) {
    const name = crd.metadata.name as string;
    for (;;) {
      const got = (
        await cp.api('GET', `/apis/apiextensions.k8s.io/v1/customresourcedefinitions/${name}`)
      ).json<{
        status?: { conditions?: { type: string; status: string }[] };
      }>();
      if (got.status?.conditions?.some((c) => c.type === 'Established' && c.status === 'True')) break;
      if (Date.now() > deadline)
        throw new StepError(
          `CRD ${name}`,
          `not Established after ${timeoutMs} ms: ${JSON.stringify(got.status)}`,
        );
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  return crds.length;
}

/** Creates a namespace that enforces Pod Security `restricted` (as the cluster's namespaces do). */
export async function createRestrictedNamespace(cp: ControlPlane, name: string): Promise<void> {
  const labels = Object.fromEntries(
    ['enforce', 'warn', 'audit'].flatMap((mode) => [
      [`pod-security.kubernetes.io/${mode}`, 'restricted'],
      [`pod-security.kubernetes.io/${mode}-version`, 'latest'],
    ]),
  );
  const response = await cp.api('POST', '/api/v1/namespaces', {
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: { name, labels },
  });
  if (response.status >= 300 && response.status !== 409)
    throw new StepError(`namespace ${name}`, response.body);
  // What kube-controller-manager would add: the namespace's `default` ServiceAccount (pods without a
  // serviceAccountName, such as the helm test pod, run as it; admission refuses them without it).
  const sa = await cp.api('POST', `/api/v1/namespaces/${name}/serviceaccounts`, {
    apiVersion: 'v1',
    kind: 'ServiceAccount',
    metadata: { name: 'default' },
    automountServiceAccountToken: false,
  });
  if (sa.status >= 300 && sa.status !== 409) throw new StepError(`namespace ${name}`, sa.body);
}

/**
 * Offers every pod the manifests would create (each Deployment's and StatefulSet's template, each bare
 * Pod) to the API server as a dry-run Pod in `namespace`, so admission (Pod Security `restricted`
 * included) judges exactly what the kubelet would be asked to run.
 */
export async function podSecurity(
  cp: ControlPlane,
  namespace: string,
  manifests: Record<string, any>[],
): Promise<number> {
  const pods = manifests.flatMap((m) => {
    if (m.kind === 'Pod') return [{ owner: `Pod/${m.metadata.name}`, metadata: m.metadata, spec: m.spec }];
    if (!['Deployment', 'StatefulSet', 'DaemonSet', 'Job'].includes(m.kind)) return [];
    const spec = structuredClone(m.spec.template.spec);
    // The StatefulSet controller adds a claim per volumeClaimTemplate to each pod, as here.
    for (const claim of m.spec.volumeClaimTemplates ?? []) {
      const claimName = `${claim.metadata.name}-${m.metadata.name}-0`;
      spec.volumes = [
        ...(spec.volumes ?? []),
        { name: claim.metadata.name, persistentVolumeClaim: { claimName } },
      ];
    }
    return [{ owner: `${m.kind}/${m.metadata.name}`, metadata: m.spec.template.metadata ?? {}, spec }];
  });
  const refused: string[] = [];
  for (const pod of pods) {
    const response = await cp.api(
      'POST',
      `/api/v1/namespaces/${namespace}/pods?dryRun=All&fieldValidation=Strict`,
      {
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { generateName: 'pod-security-', labels: pod.metadata.labels ?? {} },
        spec: pod.spec,
      },
    );
    if (response.status >= 300)
      refused.push(`${pod.owner}: ${response.json<{ message?: string }>().message ?? response.body}`);
    else if (response.warnings.length) refused.push(`${pod.owner}: ${response.warnings.join('; ')}`);
  }
  if (refused.length) throw new StepError('pod admission (dry run)', refused.join('\n'));
  return pods.length;
}

/** `helm install` (or `upgrade`) into the control plane; the API server's refusals fail it. */
export async function helmInstall(
  cp: ControlPlane,
  chartDir: string,
  options: { release: string; namespace: string; valuesFile: string; upgrade?: boolean },
): Promise<string> {
  const verb = options.upgrade ? 'upgrade' : 'install';
  const step = `helm ${verb} ${options.release} (${basename(options.valuesFile)})`;
  const output = await exec(tool('helm'), [
    verb,
    options.release,
    chartDir,
    '--kubeconfig',
    cp.kubeconfig,
    '--namespace',
    options.namespace,
    '-f',
    options.valuesFile,
    // No controllers run here: wait only for hooks (the chart has none but `helm test`'s).
    '--wait=hookOnly',
    '--timeout',
    '2m',
  ]);
  if (output.code !== 0) throw new StepError(step, `${output.stderr}\n${output.stdout}`.trim());
  // Warnings the API server sent back (deprecations, Pod Security) fail the step too.
  const warnings = output.stderr.split('\n').filter((line) => /warning:|would violate/i.test(line));
  if (warnings.length) throw new StepError(`helm ${verb} ${options.release}`, warnings.join('\n'));
  return output.stdout;
}

/** A scratch folder under .local for rendered manifests and generated schemas. */
export function scratch(...parts: string[]): string {
  const dir = join(ROOT, '.local/check-deploy', ...parts);
  mkdirSync(dir, { recursive: true });
  return dir;
}

/** The cluster-wide Istio policy under istio/ (applied once per cluster): every *.yaml document. */
export const MESH_DIR = join(ROOT, 'istio');
export function meshManifests(dir = MESH_DIR): Record<string, any>[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.yaml'))
    .sort()
    .flatMap((f) => parseManifests(readFileSync(join(dir, f), 'utf8')));
}

/**
 * Server-side applies custom resources (their CRDs installed and Established), creating each one's
 * namespace first; the API server's refusals (schema, unknown fields) fail the step.
 */
export async function applyCustomResources(
  cp: ControlPlane,
  resources: Record<string, any>[],
  crds = crdDocuments(),
): Promise<number> {
  for (const resource of resources) {
    const [group, version] = (resource.apiVersion as string).split('/');
    const crd = crds.find((c) => c.spec.group === group && c.spec.names.kind === resource.kind);
    const what = `${resource.kind}/${resource.metadata?.name}`;
    if (!crd) throw new StepError(`apply ${what}`, `no CRD of ${resource.apiVersion} ${resource.kind}`);
    const namespace = resource.metadata.namespace as string | undefined;
    let path = `/apis/${group}/${version}`;
    if (crd.spec.scope === 'Namespaced') {
      if (!namespace) throw new StepError(`apply ${what}`, 'a namespaced resource without a namespace');
      const created = await cp.api('POST', '/api/v1/namespaces', {
        apiVersion: 'v1',
        kind: 'Namespace',
        metadata: { name: namespace },
      });
      if (created.status >= 300 && created.status !== 409)
        throw new StepError(`namespace ${namespace}`, created.body);
      path += `/namespaces/${namespace}`;
    }
    const response = await cp.api(
      'PATCH',
      `${path}/${crd.spec.names.plural}/${resource.metadata.name}?fieldManager=check-deploy&force=true&fieldValidation=Strict`,
      resource,
      'application/apply-patch+yaml',
    );
    if (response.status >= 300) throw new StepError(`apply ${what}`, response.body);
    if (response.warnings.length) throw new StepError(`apply ${what}`, response.warnings.join('; '));
  }
  return resources.length;
}
