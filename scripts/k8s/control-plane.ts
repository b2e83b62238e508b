/**
 * A real Kubernetes control plane on loopback: etcd and kube-apiserver from .local/k8s/bin (built by
 * scripts/k8s/build.sh), each on a free port, with their own PKI, service-account keys and an admin token
 * kept under .local/k8s/pki (made once with openssl). No controller, scheduler or node: objects are stored
 * and validated (schemas, admission, Pod Security) exactly as in a cluster, nothing runs.
 *
 * `startControlPlane()` returns once /readyz answers; `stop()` ends both processes and removes etcd's data,
 * so nothing is left running. A run that was killed leaves a pid file behind, and the next start ends the
 * processes it names (when they are still ours) before it begins.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import {
  createWriteStream,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readlinkSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { request } from 'node:https';
import { dirname, join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { reservePort } from '../../platform/src/testing/ports.js';

export const ROOT = resolve(import.meta.dirname, '../..');
export const K8S_DIR = join(ROOT, '.local/k8s');
export const K8S_BIN = join(K8S_DIR, 'bin');
export const KUBERNETES_VERSION = 'v1.37.2';

export interface ControlPlane {
  /** https://127.0.0.1:<port> */
  server: string;
  /** A kubeconfig file for helm and kubectl (admin token, the PKI's CA). */
  kubeconfig: string;
  token: string;
  ca: string;
  /** Where etcd's and kube-apiserver's logs are. */
  logDir: string;
  /** A request to the API server as admin; rejects on a transport error, resolves with any HTTP status. */
  api(method: string, path: string, body?: unknown, contentType?: string): Promise<ApiResponse>;
  /** Ends kube-apiserver, then etcd, and removes etcd's data. Idempotent. */
  stop(): Promise<void>;
}

export interface ApiResponse {
  status: number;
  body: string;
  json<T = unknown>(): T;
  /** The `Warning` headers (Pod Security, deprecations). */
  warnings: string[];
}

export interface ControlPlaneOptions {
  /** Folder for etcd data, logs, kubeconfig and the pid file (default .local/k8s/check). */
  stateDir?: string;
  /** How long to wait for /readyz (default 60 s). */
  readyTimeoutMs?: number;
}

/** Fails with a message saying what to run when a binary is missing. */
export function binary(name: string): string {
  const path = join(K8S_BIN, name);
  if (!existsSync(path))
    throw new Error(
      `${path} is missing: build it with \`bash scripts/k8s/build.sh ${name}\` (npm run check:deploy does)`,
    );
  return path;
}

function openssl(args: string[], cwd: string) {
  execFileSync('openssl', args, { cwd, stdio: ['ignore', 'ignore', 'pipe'] });
}

const PKI_FILES = {
  ca: 'ca.crt',
  caKey: 'ca.key',
  cert: 'apiserver.crt',
  key: 'apiserver.key',
  saKey: 'sa.key',
  saPub: 'sa.pub',
  tokens: 'tokens.csv',
};
type PkiFile = keyof typeof PKI_FILES;
const pkiComplete = (dir: string) => Object.values(PKI_FILES).every((name) => existsSync(join(dir, name)));

/** Writes a whole PKI into the empty folder `dir`. */
function writePki(dir: string) {
  const f = PKI_FILES;
  const key = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  openssl(
    ['req', '-x509', ...key, '-keyout', f.caKey, '-out', f.ca, '-days', '3650', '-subj', '/CN=shop-check-ca'],
    dir,
  );
  writeFileSync(
    join(dir, 'apiserver.ext'),
    'subjectAltName=IP:127.0.0.1,DNS:localhost,DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc\nextendedKeyUsage=serverAuth\n',
  );
  openssl(['req', ...key, '-keyout', f.key, '-out', 'apiserver.csr', '-subj', '/CN=kube-apiserver'], dir);
  openssl(
    [
      'x509',
      '-req',
      '-in',
      'apiserver.csr',
      '-CA',
      f.ca,
      '-CAkey',
      f.caKey,
      '-CAcreateserial',
      '-out',
      f.cert,
      '-days',
      '3650',
      '-extfile',
      'apiserver.ext',
    ],
    dir,
  );
  openssl(['genpkey', '-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:2048', '-out', f.saKey], dir);
  openssl(['pkey', '-in', f.saKey, '-pubout', '-out', f.saPub], dir);
  writeFileSync(join(dir, f.tokens), `${randomBytes(24).toString('hex')},admin,admin,system:masters\n`, {
    mode: 0o600,
  });
}

/**
 * The control plane's PKI, made once: a CA, kube-apiserver's serving certificate (127.0.0.1, localhost,
 * kubernetes.default.svc), the service-account signing key pair and the admin's bearer token.
 *
 * Safe when several control planes start at once (jest runs spec files in parallel, and check:deploy may
 * run beside them): the PKI is written into a private temporary folder and renamed to `dir` in one step
 * (rename(2) of a folder onto an existing non-empty one fails), so `dir` is either absent or complete. A
 * process that loses the race discards its own and uses the winner's; nobody ever reads a half-written
 * key or a CA that does not match its certificate.
 */
export function ensurePki(dir = join(K8S_DIR, 'pki')) {
  if (!pkiComplete(dir)) {
    mkdirSync(dirname(dir), { recursive: true });
    if (existsSync(dir) && !pkiComplete(dir)) {
      // Left incomplete by a run before writes were atomic: move it aside (atomically, so of two
      // processes doing this one wins and the other finds it gone) and make a new one.
      const aside = `${dir}.incomplete-${process.pid}-${randomBytes(4).toString('hex')}`;
      try {
        renameSync(dir, aside);
        rmSync(aside, { recursive: true, force: true });
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      }
    }
    const staging = mkdtempSync(`${dir}.tmp-`);
    try {
      writePki(staging);
      renameSync(staging, dir);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      // Another process renamed its complete PKI into place first: use that one.
      if ((code !== 'ENOTEMPTY' && code !== 'EEXIST') || !pkiComplete(dir)) throw error;
    } finally {
      rmSync(staging, { recursive: true, force: true });
    }
  }
  const path = (name: PkiFile) => join(dir, PKI_FILES[name]);
  const token = readFileSync(path('tokens'), 'utf8').split(',')[0]!;
  return {
    dir,
    token,
    ...Object.fromEntries(Object.keys(PKI_FILES).map((k) => [k, path(k as PkiFile)])),
  } as {
    dir: string;
    token: string;
  } & Record<PkiFile, string>;
}

/** Ends the processes a killed run left (named in the pid file), when they are still our binaries. */
function endLeftovers(pidFile: string) {
  if (!existsSync(pidFile)) return;
  for (const line of readFileSync(pidFile, 'utf8').split('\n').filter(Boolean)) {
    const pid = Number(line);
    try {
      if (readlinkSync(`/proc/${pid}/exe`).startsWith(K8S_BIN)) process.kill(pid, 'SIGKILL');
    } catch {
      // gone already
    }
  }
  rmSync(pidFile, { force: true });
}

function exited(child: ChildProcess, timeoutMs: number): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolveExit) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.once('exit', () => {
      clearTimeout(timer);
      resolveExit();
    });
  });
}

export async function startControlPlane(options: ControlPlaneOptions = {}): Promise<ControlPlane> {
  const etcdBin = binary('etcd');
  const apiserverBin = binary('kube-apiserver');
  const stateDir = options.stateDir ?? join(K8S_DIR, 'check');
  const logDir = join(stateDir, 'logs');
  const dataDir = join(stateDir, 'etcd');
  const pidFile = join(stateDir, 'pids');
  mkdirSync(logDir, { recursive: true });
  endLeftovers(pidFile);
  rmSync(dataDir, { recursive: true, force: true });
  const pki = ensurePki();
  // Held until this process exits (the control plane lives as long as it).
  const [etcdClient, etcdPeer, apiPort] = [await reservePort(), await reservePort(), await reservePort()];
  const children: ChildProcess[] = [];
  const launch = (name: string, bin: string, args: string[]) => {
    const log = createWriteStream(join(logDir, `${name}.log`));
    const child = spawn(bin, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout!.pipe(log);
    child.stderr!.pipe(log);
    children.push(child);
    writeFileSync(pidFile, children.map((c) => c.pid).join('\n') + '\n');
    return child;
  };

  const etcd = launch('etcd', etcdBin, [
    '--name=check',
    `--data-dir=${dataDir}`,
    `--listen-client-urls=http://127.0.0.1:${etcdClient}`,
    `--advertise-client-urls=http://127.0.0.1:${etcdClient}`,
    `--listen-peer-urls=http://127.0.0.1:${etcdPeer}`,
    `--initial-advertise-peer-urls=http://127.0.0.1:${etcdPeer}`,
    `--initial-cluster=check=http://127.0.0.1:${etcdPeer}`,
    // A throwaway store for one check: durability buys nothing, fsync costs seconds.
    '--unsafe-no-fsync',
    '--log-level=warn',
  ]);
  const apiserver = launch('kube-apiserver', apiserverBin, [
    `--etcd-servers=http://127.0.0.1:${etcdClient}`,
    '--bind-address=127.0.0.1',
    '--advertise-address=127.0.0.1',
    // Loopback only, so no endpoints for the `kubernetes` Service (the reconciler refuses loopback).
    '--endpoint-reconciler-type=none',
    `--secure-port=${apiPort}`,
    `--tls-cert-file=${pki.cert}`,
    `--tls-private-key-file=${pki.key}`,
    `--client-ca-file=${pki.ca}`,
    `--token-auth-file=${pki.tokens}`,
    '--authorization-mode=RBAC',
    '--service-account-issuer=https://kubernetes.default.svc',
    `--service-account-key-file=${pki.saPub}`,
    `--service-account-signing-key-file=${pki.saKey}`,
    '--service-cluster-ip-range=10.96.0.0/24',
    '--profiling=false',
    '--v=1',
  ]);

  let stopped: Promise<void> | undefined;
  const stop = () =>
    (stopped ??= (async () => {
      apiserver.kill('SIGTERM');
      await exited(apiserver, 10_000);
      etcd.kill('SIGTERM');
      await exited(etcd, 10_000);
      rmSync(pidFile, { force: true });
      rmSync(dataDir, { recursive: true, force: true });
    })());

  const ca = readFileSync(pki.ca, 'utf8');
  const api: ControlPlane['api'] = (method, path, body, contentType = 'application/json') =>
    new Promise((resolveResponse, reject) => {
      const payload = body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body);
      const req = request(
        {
          host: '127.0.0.1',
          port: apiPort,
          method,
          path,
          ca,
          headers: {
            authorization: `Bearer ${pki.token}`,
            accept: 'application/json',
            ...(payload === undefined ? {} : { 'content-type': contentType }),
          },
          timeout: 60_000,
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            const warning = res.headers.warning;
            resolveResponse({
              status: res.statusCode ?? 0,
              body: text,
              json: <T>() => JSON.parse(text) as T,
              warnings: (Array.isArray(warning) ? warning : warning ? [warning] : []).map((w) =>
                w.replace(/^\d{3} \S+ "?|"$/g, ''),
              ),
            });
          });
        },
      );
      req.on('error', reject);
      req.on('timeout', () => req.destroy(new Error(`${method} ${path}: no answer in 60 s`)));
      if (payload !== undefined) req.write(payload);
      req.end();
    });

  try {
    const deadline = Date.now() + (options.readyTimeoutMs ?? 60_000);
    for (;;) {
      for (const [name, child] of [
        ['etcd', etcd],
        ['kube-apiserver', apiserver],
      ] as const) {
        if (child.exitCode !== null)
          throw new Error(`${name} exited with ${child.exitCode}; its log: ${join(logDir, `${name}.log`)}`);
      }
      const ready = await api('GET', '/readyz').catch(() => undefined);
      if (ready?.status === 200) break;
      if (Date.now() > deadline)
        throw new Error(
          `kube-apiserver not ready after ${options.readyTimeoutMs ?? 60_000} ms: ${ready?.body ?? 'no answer'}; logs in ${logDir}`,
        );
      await sleep(200);
    }
  } catch (error) {
    await stop();
    throw error;
  }

  const server = `https://127.0.0.1:${apiPort}`;
  const kubeconfig = join(stateDir, 'kubeconfig');
  writeFileSync(
    kubeconfig,
    [
      'apiVersion: v1',
      'kind: Config',
      'clusters:',
      '  - name: check',
      '    cluster:',
      `      server: ${server}`,
      `      certificate-authority: ${pki.ca}`,
      'users:',
      '  - name: admin',
      '    user:',
      `      token: ${pki.token}`,
      'contexts:',
      '  - name: check',
      '    context: { cluster: check, user: admin }',
      'current-context: check',
      '',
    ].join('\n'),
    { mode: 0o600 },
  );
  return { server, kubeconfig, token: pki.token, ca: pki.ca, logDir, api, stop };
}
