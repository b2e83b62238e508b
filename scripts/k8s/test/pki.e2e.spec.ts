/**
 * ensurePki when several control planes start at once on a fresh machine (jest runs spec files in
 * parallel; check:deploy may run beside them): six processes make the PKI in one empty folder at the
 * same moment, and all must end up with the same complete PKI, its certificate signed by its CA.
 */
import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from '@jest/globals';
import { ROOT } from '../control-plane.js';

const work = mkdtempSync(join(tmpdir(), 'pki-race-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** Runs ensurePki(dir) in `count` processes released together; resolves each one's admin token. */
async function ensurePkiInProcesses(dir: string, count: number): Promise<string[]> {
  const script = [
    `import { ensurePki } from ${JSON.stringify(join(ROOT, 'scripts/k8s/control-plane.ts'))};`,
    `import { createInterface } from 'node:readline';`,
    `console.log('ready');`,
    `await new Promise((go) => createInterface({ input: process.stdin }).once('line', go).once('close', go));`,
    `console.log('token', ensurePki(${JSON.stringify(dir)}).token);`,
  ].join('\n');
  const children = Array.from({ length: count }, () =>
    spawn(join(ROOT, 'node_modules/.bin/tsx'), ['--input-type=module', '--eval', script], { cwd: ROOT }),
  );
  const outputs = children.map((child) => {
    let output = '';
    child.stdout.on('data', (c: Buffer) => (output += c.toString()));
    child.stderr.on('data', (c: Buffer) => (output += c.toString()));
    const ready = new Promise<void>((resolve) =>
      child.stdout.on('data', () => output.includes('ready') && resolve()),
    );
    const done = new Promise<string>((resolve, reject) =>
      child.once('exit', (code) =>
        code === 0 ? resolve(output) : reject(new Error(`exit ${code}: ${output}`)),
      ),
    );
    return { child, ready, done };
  });
  await Promise.all(outputs.map((o) => o.ready));
  for (const o of outputs) o.child.stdin.end('go\n');
  return (await Promise.all(outputs.map((o) => o.done))).map((out) => /token (\w+)/.exec(out)?.[1] ?? out);
}

const verify = (dir: string) =>
  execFileSync('openssl', ['verify', '-CAfile', join(dir, 'ca.crt'), join(dir, 'apiserver.crt')], {
    encoding: 'utf8',
  });

describe('ensurePki with several control planes starting at once', () => {
  it('six processes on a fresh folder share one complete PKI', async () => {
    const dir = join(work, 'fresh', 'pki');
    const tokens = await ensurePkiInProcesses(dir, 6);
    expect(new Set(tokens).size).toBe(1);
    expect(tokens[0]).toMatch(/^[0-9a-f]{48}$/);
    expect(verify(dir)).toContain(': OK');
    // No staging folder is left behind, whoever lost the race.
    expect(readdirSync(join(work, 'fresh'))).toEqual(['pki']);
  }, 30_000);

  it('a folder left incomplete (a run killed half-way) is replaced by a complete one', async () => {
    const dir = join(work, 'legacy', 'pki');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'ca.crt'), 'half-written\n');
    const tokens = await ensurePkiInProcesses(dir, 3);
    expect(new Set(tokens).size).toBe(1);
    expect(verify(dir)).toContain(': OK');
    expect(readdirSync(join(work, 'legacy'))).toEqual(['pki']);
  }, 30_000);
});
