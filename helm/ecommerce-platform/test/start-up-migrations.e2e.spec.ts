/**
 * The chart runs no migration Job: each subgraph migrates its own database when it starts
 * (platform/src/database.ts), and Kubernetes starts several replicas at once (a fresh install,
 * scale-up, KEDA). This spec starts six processes of one subgraph against one fresh database on the
 * real local Postgres, released at the same instant, and requires every one to come up, with each
 * migration applied exactly once. Without the kit's advisory lock around creating and migrating,
 * five of the six fail (`database ... already exists` or a duplicate key in `pg_database_datname_index`,
 * `relation "mikro_orm_migrations" already exists`, a duplicate key in `pg_type_typname_nsp_index`).
 *
 * The replicas run the fixture compiled into one module with esbuild, as the services run their
 * bundles (README, "Compiled services"): loading the kit through tsx costs each process seconds of
 * CPU, six at once on two cores far more than the migrations themselves.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { MikroORM } from '@mikro-orm/postgresql';
import { build } from 'esbuild';
import { dropDatabase, testDatabaseUrl, uniqueDatabaseName } from '@shop/platform/testing';

const FIXTURE = join(import.meta.dirname, 'fixtures/migrate-on-signal.ts');
const REPLICAS = 6;
// Six node processes loading a 10 MB bundle, then one creating the database and applying the
// migrations while the others wait for the lock: about 3 s on an idle two-core machine.
const CASE_TIMEOUT_MS = 30_000;

let bundleDir: string;
let bundle: string;
const running = new Set<ChildProcessWithoutNullStreams>();

interface Replica {
  child: ChildProcessWithoutNullStreams;
  ready: Promise<void>;
  done: Promise<{ code: number | null; output: string }>;
}

function replica(subgraph: string, dbName: string): Replica {
  const child = spawn(process.execPath, [bundle, subgraph, testDatabaseUrl(), dbName]);
  running.add(child);
  let output = '';
  const lines = () => output.split('\n').map((l) => l.trim());
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const ready = new Promise<void>((resolve, reject) => {
    child.stdout.on('data', () => (lines().includes('ready') ? resolve() : undefined));
    child.once('exit', (code) =>
      reject(new Error(`replica exited (${code}) before it was ready: ${output}`)),
    );
  });
  ready.catch(() => undefined);
  const done = new Promise<{ code: number | null; output: string }>((resolve) =>
    child.once('exit', (code) => {
      running.delete(child);
      resolve({ code, output: output.trim() });
    }),
  );
  return { child, ready, done };
}

async function appliedMigrations(dbName: string): Promise<{ names: string[]; tables: string[] }> {
  const orm = await MikroORM.init({
    clientUrl: testDatabaseUrl(),
    dbName,
    entities: [],
    discovery: { warnWhenNoEntities: false },
    ensureDatabase: false,
  });
  try {
    const connection = orm.em.fork().getConnection();
    const names = (
      await connection.execute<{ name: string }[]>('select name from mikro_orm_migrations order by id')
    ).map((r) => r.name);
    const tables = (
      await connection.execute<{ tablename: string }[]>(
        "select tablename from pg_tables where schemaname = 'public' order by 1",
      )
    ).map((r) => r.tablename);
    return { names, tables };
  } finally {
    await orm.close(true);
  }
}

describe('start-up migrations with several replicas starting at once', () => {
  const databases: string[] = [];

  beforeAll(async () => {
    bundleDir = mkdtempSync(join(tmpdir(), 'migrate-on-signal-'));
    bundle = join(bundleDir, 'migrate-on-signal.mjs');
    // The options of scripts/build.ts that matter for a node bundle of the kit.
    await build({
      entryPoints: [FIXTURE],
      outfile: bundle,
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node24',
      banner: {
        js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);",
      },
      external: ['bufferutil', 'utf-8-validate', 'pg-native'],
      logLevel: 'error',
    });
  }, 60_000);

  // A case that failed or timed out leaves no replica behind.
  afterEach(() => {
    for (const child of running) child.kill('SIGKILL');
    running.clear();
  });

  afterAll(async () => {
    for (const name of databases) await dropDatabase(name);
    if (bundleDir) rmSync(bundleDir, { recursive: true, force: true });
  });

  // orders has two migrations, auth one with a seeded table; both create their database themselves.
  it.each(['orders', 'auth'])(
    '%s: six replicas on a fresh database all start, each migration applied once',
    async (subgraph) => {
      const dbName = uniqueDatabaseName(`migrate_${subgraph}`);
      databases.push(dbName);
      const replicas = Array.from({ length: REPLICAS }, () => replica(subgraph, dbName));
      await Promise.all(replicas.map((r) => r.ready));
      // Every replica has loaded its code; release them together (the cue, then end of input).
      for (const r of replicas) r.child.stdin.end('go\n');
      const results = await Promise.all(replicas.map((r) => r.done));

      expect(results.map((r) => r.output)).toEqual(Array(REPLICAS).fill('ready\nmigrated'));
      expect(results.map((r) => r.code)).toEqual(Array(REPLICAS).fill(0));
      const { names, tables } = await appliedMigrations(dbName);
      const { migrations } = (await import(`../../../subgraphs/${subgraph}/src/migrations/index.js`)) as {
        migrations: { name: string }[];
      };
      expect(names).toEqual(migrations.map((m) => m.name));
      expect(tables).toContain('outbox_message');
    },
    CASE_TIMEOUT_MS,
  );
});
