import type { HistoryError } from '../errors.js';
import { dependencyKeyOf, type CacheableTask } from '../history/cacheKey.js';
import type { TaskCache } from '../history/TaskCache.js';
import type { TaskMachineEvent } from '../../machines/taskMachine.js';
import type { TaskEntry } from './TaskEntry.js';

/** What asking the history needs of the supervisor: nothing else of it. */
export interface HistoryHost {
  readonly cache: TaskCache;
  entry(id: string): TaskEntry | undefined;
  send(entry: TaskEntry, event: TaskMachineEvent): void;
  reportError(error: HistoryError): void;
}

/** A dependency's part of a key: its own key, or (not cacheable) a hash of its result. */
function dependencyKeys(host: HistoryHost, entry: TaskEntry): Record<string, string> | string {
  const keys: Record<string, string> = {};
  for (const id of entry.dependencies) {
    const dependency = host.entry(id);
    if (dependency === undefined) return `dependency "${id}" is no longer known to the scheduler (maxFinishedRecords)`;
    keys[id] = dependencyKeyOf(dependency.cacheKey, dependency.output?.result);
  }
  return keys;
}

/**
 * The one point where the history is asked: ready tasks on their way to the queue. A cacheable
 * task asked for the first time is keyed (its inputs read, its dependencies' keys taken) and
 * looked up: a hit completes it at once with the stored result (`task.cached`: no attempt, no
 * worker) and is not queued; a miss is queued with its key kept, to be stored when it completes,
 * and why it runs. Tasks not cacheable, and those asked before (a retry), pass as they are.
 *
 * @returns the entries to queue
 * @example
 * s.queue(askHistory(host, ready));
 */
export function askHistory(host: HistoryHost, entries: readonly TaskEntry[]): readonly TaskEntry[] {
  let toQueue: TaskEntry[] | undefined;
  entries.forEach((entry, i) => {
    if (entry.cache === undefined || entry.cacheAsked) {
      toQueue?.push(entry);
      return;
    }
    entry.cacheAsked = true;
    const keys = dependencyKeys(host, entry);
    const decision = typeof keys === 'string' ? { kind: 'unkeyed' as const, reason: keys } : host.cache.decide(entry as TaskEntry & CacheableTask, keys, host.reportError);
    if (decision.kind !== 'hit') {
      entry.ranBecause = decision.reason;
      if (decision.kind === 'miss') {
        entry.cacheKey = decision.key;
        entry.cacheParts = decision.parts;
      }
      toQueue?.push(entry);
      return;
    }
    toQueue ??= entries.slice(0, i);
    entry.cacheKey = decision.key;
    entry.cached = true;
    host.send(entry, { type: 'task.cached', result: decision.result });
  });
  return toQueue ?? entries;
}
