import { watch, type FSWatcher } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { SupergraphSdlHook } from '@apollo/gateway';
import type { Logger } from '@shop/platform/edge';

export interface SupergraphFileOptions {
  /** The composed supergraph file (`schema/supergraph.graphql`). */
  path: string;
  logger: Logger;
  /** Turns the file's text into what the gateway loads. Default: unchanged. May throw to refuse a file. */
  prepare?: (supergraphSdl: string) => string;
  /** Wait this long after the last change event before reading, so a file written in pieces is read once. Default 200 ms. */
  debounceMs?: number;
  /**
   * Also re-read the file this often, for where `fs.watch` misses changes (network and some container file
   * systems). 0 turns polling off. Default 5000 ms.
   */
  pollIntervalMs?: number;
  /** Told about every changed file: `applied`, or `rejected` with the reason. */
  onReload?: (outcome: 'applied' | 'rejected', error?: unknown) => void;
}

/**
 * The gateway's `supergraphSdl` hook for a supergraph file: loads the file at start-up (an unreadable or
 * invalid file fails the start) and then hands every changed version to the gateway's `update`.
 *
 * The directory is watched rather than the file, because editors and deploy tools replace files by
 * renaming (a Kubernetes ConfigMap swaps a `..data` symlink), which a watch on the file itself would lose;
 * any event in the directory re-reads the file, and a version already seen is ignored. `update` swaps the
 * schema and query planner for requests that start afterwards; requests already executing finish on the
 * plans they have. A file the gateway refuses is logged, counted, and the previous supergraph keeps
 * serving; it is not retried until its content changes again. Polling is the fallback when the watch
 * fails or misses an event.
 */
export function supergraphFile(options: SupergraphFileOptions): SupergraphSdlHook {
  const { path, logger, debounceMs = 200, pollIntervalMs = 5000 } = options;
  const prepare = options.prepare ?? ((sdl: string) => sdl);
  return async ({ update }) => {
    const initial = await readFile(path, 'utf8');
    const supergraphSdl = prepare(initial);
    let applied = initial;
    let seen = initial;
    let closed = false;
    let timer: NodeJS.Timeout | undefined;
    let queue = Promise.resolve();

    const reload = async () => {
      if (closed) return;
      let text: string;
      try {
        text = await readFile(path, 'utf8');
      } catch (error) {
        // Mid-replacement the file can be briefly missing; the next event or poll reads it again.
        logger.warn({ err: error, path }, 'supergraph file unreadable; keeping the current supergraph');
        return;
      }
      if (text === seen || closed) return;
      seen = text;
      try {
        update(prepare(text));
        applied = text;
        logger.info({ path }, 'supergraph reloaded');
        options.onReload?.('applied');
      } catch (error) {
        logger.error({ err: error, path }, 'supergraph file refused; keeping the current supergraph');
        options.onReload?.('rejected', error);
        // The gateway can fail half-way through an update; handing it the serving supergraph again puts
        // it back in a consistent state (a no-op when it failed before changing anything).
        try {
          update(prepare(applied));
        } catch (restoreError) {
          logger.error({ err: restoreError }, 'restoring the previous supergraph failed');
        }
      }
    };
    const enqueue = () => {
      // One reload at a time; a failure is logged and never stops later reloads.
      queue = queue
        .then(reload)
        .catch((error) => logger.error({ err: error, path }, 'supergraph reload failed'));
    };
    const schedule = () => {
      clearTimeout(timer);
      timer = setTimeout(enqueue, debounceMs);
    };

    let watcher: FSWatcher | undefined;
    try {
      watcher = watch(dirname(path), { persistent: false }, schedule);
      watcher.on('error', (error) => {
        logger.warn({ err: error, path }, 'watching the supergraph file failed; polling only');
        watcher?.close();
      });
    } catch (error) {
      logger.warn({ err: error, path }, 'cannot watch the supergraph file; polling only');
    }
    const poll = pollIntervalMs > 0 ? setInterval(enqueue, pollIntervalMs) : undefined;
    poll?.unref();

    return {
      supergraphSdl,
      cleanup: async () => {
        closed = true;
        watcher?.close();
        clearInterval(poll);
        clearTimeout(timer);
        await queue;
      },
    };
  };
}
