import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import {
  BENCH_SHAPE_FILES,
  compareContractCopy,
  formatContractDrift,
  upstreamBenchShapeDir,
  upstreamContractDir,
} from './contract.js';

const GUIDE = '# Client contract\n\nOperations storefronts send.\n';
const OPERATIONS = 'query Product($id: ID!) {\n  product(id: $id) {\n    id\n  }\n}\n';

describe('the repository copy of the client contract', () => {
  let dir: string;
  let copy: string;
  let upstream: string;
  const write = async (where: string, files: Record<string, string>) => {
    await mkdir(where, { recursive: true });
    for (const [name, text] of Object.entries(files)) await writeFile(join(where, name), text);
  };

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'contract-'));
    copy = join(dir, 'copy');
    upstream = join(dir, 'upstream');
    await write(copy, { 'CONTRACT.md': GUIDE, 'operations.graphql': OPERATIONS });
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('matches an identical upstream, file by file', async () => {
    await write(upstream, { 'CONTRACT.md': GUIDE, 'operations.graphql': OPERATIONS });
    await expect(compareContractCopy(copy, upstream)).resolves.toEqual({
      status: 'same',
      files: ['CONTRACT.md', 'operations.graphql'],
    });
  });

  it('reports a changed operation with the first differing line of both sides', async () => {
    await write(upstream, {
      'CONTRACT.md': GUIDE,
      'operations.graphql': OPERATIONS.replace('    id\n', '    id\n    name\n'),
    });
    const outcome = await compareContractCopy(copy, upstream);
    expect(outcome).toEqual({
      status: 'drift',
      drift: [{ file: 'operations.graphql', detail: 'line 4: copy has "  }", upstream has "    name"' }],
    });
  });

  it('reports a file missing on either side and a change at the end of a file', async () => {
    await write(upstream, { 'CONTRACT.md': `${GUIDE}More.\n` });
    const outcome = await compareContractCopy(copy, upstream);
    expect(outcome).toEqual({
      status: 'drift',
      drift: [
        { file: 'CONTRACT.md', detail: 'line 4: copy has "", upstream has "More."' },
        { file: 'operations.graphql', detail: 'missing upstream' },
      ],
    });
    await rm(join(copy, 'CONTRACT.md'));
    expect(await compareContractCopy(copy, upstream)).toEqual({
      status: 'drift',
      drift: [
        { file: 'CONTRACT.md', detail: 'missing from the copy' },
        { file: 'operations.graphql', detail: 'missing upstream' },
      ],
    });
  });

  it('says so when there is no upstream to compare with', async () => {
    await expect(compareContractCopy(copy, join(dir, 'absent'))).resolves.toEqual({
      status: 'no-upstream',
      upstreamDir: join(dir, 'absent'),
    });
  });

  it('formats a drift report that names both places and the fix', () => {
    const report = formatContractDrift([{ file: 'CONTRACT.md', detail: 'missing upstream' }], 'a', 'b');
    expect(report.split('\n')).toEqual([
      'the copy in a differs from b:',
      '  CONTRACT.md: missing upstream',
      'copy the upstream files over (cp b/{CONTRACT.md,operations.graphql} a/) and commit them with the change they need',
    ]);
  });

  it('compares the files it is given: the benchmark shape copy, its data changed upstream', async () => {
    const shape = Object.fromEntries(BENCH_SHAPE_FILES.map((file) => [file, `{"file":"${file}"}\n`]));
    await write(join(dir, 'shape'), shape);
    await write(join(dir, 'shape-upstream'), { ...shape, 'data.json': '{"file":"changed"}\n' });
    const outcome = await compareContractCopy(
      join(dir, 'shape'),
      join(dir, 'shape-upstream'),
      BENCH_SHAPE_FILES,
    );
    expect(outcome).toEqual({
      status: 'drift',
      drift: [
        {
          file: 'data.json',
          detail:
            'line 1: copy has "{\\"file\\":\\"data.json\\"}", upstream has "{\\"file\\":\\"changed\\"}"',
        },
      ],
    });
    expect(upstreamBenchShapeDir({})).toMatch(/\/\.\.\/shared\/bench\/federation-gateway$/);
    expect(upstreamBenchShapeDir({ BENCH_SHAPE_UPSTREAM: '/x' })).toBe('/x');
  });

  it('looks for the published contract beside the checkout unless $CONTRACT_UPSTREAM says where', () => {
    expect(upstreamContractDir({ CONTRACT_UPSTREAM: '/elsewhere/api' })).toBe('/elsewhere/api');
    expect(upstreamContractDir({})).toMatch(/\/\.\.\/shared\/api$/);
  });
});
