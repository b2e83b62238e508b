/**
 * `npm run check:workflows` (scripts/check-workflows.sh): the repository's workflows pass with no finding,
 * and a workflow with an expression error and an unquoted variable in a `run:` script fails on both, so
 * actionlint and the shellcheck inside it both run.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const SCRIPT = resolve(import.meta.dirname, '../check-workflows.sh');
let dir: string;

function checkWorkflows(...files: string[]): Promise<{ code: number; output: string }> {
  return new Promise((resolveRun) => {
    execFile('bash', [SCRIPT, ...files], (error, stdout, stderr) => {
      resolveRun({ code: error ? Number(error.code ?? 1) : 0, output: `${stdout}${stderr}` });
    });
  });
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'check-workflows-'));
});

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('check:workflows', () => {
  it(
    'passes the repository workflows with no finding',
    async () => {
      const { code, output } = await checkWorkflows();

      expect(output.replace(/^==> installing .*\n/gm, '')).toBe('');
      expect(code).toBe(0);
    },
    10 * 60_000,
  );

  it(
    'fails on an unknown expression property and on a shellcheck finding',
    async () => {
      const file = join(dir, 'broken.yml');
      writeFileSync(
        file,
        [
          'name: broken',
          'on: push',
          'jobs:',
          '  test:',
          '    runs-on: ubuntu-24.04',
          '    steps:',
          '      - run: echo $GREETING ${{ github.no_such_property }}',
          '',
        ].join('\n'),
      );

      const { code, output } = await checkWorkflows(file);

      expect(output).toContain('property "no_such_property" is not defined');
      expect(output).toContain('SC2086');
      expect(code).toBe(1);
    },
    10 * 60_000,
  );
});
