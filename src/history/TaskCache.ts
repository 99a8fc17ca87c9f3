import { HistoryError } from '../errors.js';
import { keyOf, keyPartsOf, whyRan, type CacheableTask, type KeyParts } from './cacheKey.js';
import type { RunHistory } from './RunHistory.js';
import { restoreOutputs, snapshotOutputs } from './taskOutputs.js';

/** What the history says of a ready cacheable task. */
export type CacheDecision =
  /** Its key has a completed entry: it completes with `result`; `restored` outputs were put back. */
  | { readonly kind: 'hit'; readonly key: string; readonly result: unknown; readonly restored: readonly string[] }
  /** It runs, for `reason`; its key and parts are kept to store its result when it completes. */
  | { readonly kind: 'miss'; readonly key: string; readonly parts: KeyParts; readonly reason: string }
  /** It runs and is not stored: it could not be keyed (`reason` says why). */
  | { readonly kind: 'unkeyed'; readonly reason: string };

/**
 * The result cache as the supervisor uses it: asked once when a cacheable task becomes ready
 * ({@link TaskCache.decide}), told when one that ran completes ({@link TaskCache.remember}).
 * Inputs are read, outputs restored and the history read here, in this process (a distributed
 * run's coordinator). Failures come back as data: a history that cannot be read or written
 * makes tasks run, never a wrong hit.
 *
 * @example
 * const cache = new TaskCache(history, () => Date.now());
 * const decision = cache.decide(task, { parse: parseKey });
 */
export class TaskCache {
  readonly #history: RunHistory;
  readonly #now: () => number;
  readonly #env: NodeJS.ProcessEnv;

  constructor(history: RunHistory, now: () => number, env: NodeJS.ProcessEnv = process.env) {
    this.#history = history;
    this.#now = now;
    this.#env = env;
  }

  /**
   * Keys a ready task (its dependencies' keys given) and looks the key up: a hit puts its
   * outputs back and gives its result; a miss says what changed since the task's last entry.
   * An error of the history or of the file system is reported through `report` and the task runs.
   */
  decide(task: CacheableTask, dependencies: Readonly<Record<string, string>>, report: (error: HistoryError) => void): CacheDecision {
    let parts: KeyParts;
    try {
      parts = keyPartsOf(task, dependencies, this.#env);
    } catch (error) {
      return { kind: 'unkeyed', reason: `its inputs could not be read (${describe(error)})` };
    }
    const key = keyOf(parts);
    const cache = this.#history.cache;
    try {
      const entry = cache.get(key, this.#now());
      if (entry !== undefined) {
        try {
          return { kind: 'hit', key, result: entry.result, restored: restoreOutputs(task.cache, entry.outputs, cache) };
        } catch (error) {
          // The entry cannot be used whole: the task runs, and its completion stores it again.
          return { kind: 'miss', key, parts, reason: `its cached outputs could not be restored: ${describe(error)}` };
        }
      }
      return { kind: 'miss', key, parts, reason: whyRan(cache.latestParts(task.name) as KeyParts | undefined, parts) };
    } catch (error) {
      report(asHistoryError(this.#history.file, error));
      return { kind: 'miss', key, parts, reason: 'the history could not be read' };
    }
  }

  /**
   * Stores what a task that ran and completed left: its result and its declared outputs, under
   * the key it had when it became ready. A failure is reported, and the run goes on.
   */
  remember(task: CacheableTask, key: string, parts: KeyParts, result: unknown, report: (error: HistoryError) => void): void {
    try {
      const { outputs, contents } = snapshotOutputs(task.cache);
      this.#history.cache.put({ key, task: task.name, type: task.type, result, outputs, contents, at: this.#now(), parts });
    } catch (error) {
      report(asHistoryError(this.#history.file, error, `storing the result of task "${task.id}"`));
    }
  }
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function asHistoryError(file: string, error: unknown, what?: string): HistoryError {
  if (error instanceof HistoryError) return error;
  return new HistoryError(file, `${what === undefined ? '' : `${what}: `}${describe(error)}`, { cause: error });
}
