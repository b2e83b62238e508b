import { mkdir, mkdtemp, rename, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { createLogger } from '@shop/platform/edge';
import { waitFor } from '@shop/platform/testing';
import { supergraphFile, type SupergraphFileOptions } from './supergraph-file.js';

const logger = createLogger('supergraph-file-spec', { level: 'silent' });

describe('supergraphFile', () => {
  let dir: string;
  let path: string;
  let cleanup: (() => Promise<void>) | undefined;
  const updates: string[] = [];
  const outcomes: string[] = [];

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'supergraph-file-'));
    path = join(dir, 'supergraph.graphql');
    await writeFile(path, 'v1');
    updates.length = 0;
    outcomes.length = 0;
  });
  afterEach(async () => {
    await cleanup?.();
    cleanup = undefined;
    await rm(dir, { recursive: true, force: true });
  });

  async function start(
    options: Partial<SupergraphFileOptions> = {},
    update = (sdl: string) => void updates.push(sdl),
  ) {
    const hook = supergraphFile({
      path,
      logger,
      debounceMs: 30,
      pollIntervalMs: 0,
      prepare: (sdl) => `prepared:${sdl}`,
      onReload: (outcome) => outcomes.push(outcome),
      ...options,
    });
    const result = await hook({ update, healthCheck: async () => {}, getDataSource: () => ({}) as never });
    cleanup = result.cleanup;
    return result;
  }

  it('loads the file, prepared, at start-up and refuses to start without it', async () => {
    expect((await start()).supergraphSdl).toBe('prepared:v1');
    await rm(path);
    await expect(start()).rejects.toThrow(/ENOENT/);
  });

  it('hands each changed version to update, once, including a file replaced by rename', async () => {
    await start();
    await writeFile(path, 'v2');
    await waitFor(() => updates.length === 1, 3_000);
    expect(updates).toEqual(['prepared:v2']);
    await writeFile(join(dir, 'next.tmp'), 'v3');
    await rename(join(dir, 'next.tmp'), path);
    await waitFor(() => updates.length === 2, 3_000);
    await writeFile(path, 'v3'); // same content: ignored
    await sleep(200);
    expect(updates).toEqual(['prepared:v2', 'prepared:v3']);
    expect(outcomes).toEqual(['applied', 'applied']);
  });

  it('follows a Kubernetes ConfigMap volume update (the kubelet swaps the ..data symlink) by the watch alone', async () => {
    // The kubelet's atomic writer: files live in a timestamped directory, `..data` points at it and each
    // key is a symlink through `..data`; an update writes a new directory, points `..data_tmp` at it,
    // renames `..data_tmp` over `..data` and removes the old directory.
    const volume = join(dir, 'volume');
    await mkdir(volume);
    let generation = 0;
    const publish = async (content: string) => {
      generation += 1;
      const timestamped = `..2026_12_03_08_00_0${generation}.00000000${generation}`;
      await mkdir(join(volume, timestamped));
      await writeFile(join(volume, timestamped, 'supergraph.graphql'), content);
      await symlink(timestamped, join(volume, '..data_tmp'));
      await rename(join(volume, '..data_tmp'), join(volume, '..data'));
      if (generation === 1) await symlink('..data/supergraph.graphql', join(volume, 'supergraph.graphql'));
      else
        await rm(join(volume, `..2026_12_03_08_00_0${generation - 1}.00000000${generation - 1}`), {
          recursive: true,
        });
    };
    await publish('k1');
    path = join(volume, 'supergraph.graphql');
    expect((await start({ pollIntervalMs: 0 })).supergraphSdl).toBe('prepared:k1');
    await publish('k2');
    await waitFor(() => updates.length === 1, 3_000);
    await publish('k3');
    await waitFor(() => updates.length === 2, 3_000);
    expect(updates).toEqual(['prepared:k2', 'prepared:k3']);
    expect(outcomes).toEqual(['applied', 'applied']);
  });

  it('keeps the serving version when update refuses a file, and retries only when the file changes again', async () => {
    const calls: string[] = [];
    await start({}, (sdl) => {
      calls.push(sdl);
      if (sdl.includes('broken')) throw new Error('invalid supergraph');
    });
    await writeFile(path, 'broken');
    await waitFor(() => outcomes.length === 1, 3_000);
    expect(outcomes).toEqual(['rejected']);
    // After the refusal the serving supergraph is handed back, to undo a half-applied update.
    expect(calls).toEqual(['prepared:broken', 'prepared:v1']);
    await writeFile(path, 'v2');
    await waitFor(() => outcomes.length === 2, 3_000);
    expect(outcomes).toEqual(['rejected', 'applied']);
  });

  it('refuses a file that prepare rejects without calling update with it', async () => {
    await start({
      prepare: (sdl) => {
        if (sdl === 'not graphql') throw new Error('Syntax Error');
        return sdl;
      },
    });
    await writeFile(path, 'not graphql');
    await waitFor(() => outcomes.length === 1, 3_000);
    expect(outcomes).toEqual(['rejected']);
    expect(updates).toEqual(['v1']);
  });

  it('polls when the watch does not report a change', async () => {
    // A debounce longer than the test leaves only the poll to see the change.
    await start({ debounceMs: 60_000, pollIntervalMs: 50 });
    await writeFile(path, 'v2');
    await waitFor(() => updates.length === 1, 3_000);
    expect(updates).toEqual(['prepared:v2']);
  });

  it('stops watching at cleanup', async () => {
    const { cleanup: stop } = await start({ pollIntervalMs: 50 });
    await stop!();
    cleanup = undefined;
    await writeFile(path, 'v2');
    await sleep(200);
    expect(updates).toEqual([]);
  });
});
