import type { StoredTask } from '../../src/core/TaskStore.js';

/** A task as a store keeps it, for store tests: plain defaults, any field overridden. */
export function storedTask(id: string, seq: number, dependencies: string[] = [], overrides: Partial<StoredTask> = {}): StoredTask {
  return {
    id,
    name: id,
    type: 'generic',
    priority: 3,
    seq,
    dependencies,
    resources: {},
    config: {},
    hasOwnRun: true,
    timeoutMs: 0,
    retry: { attempts: 2, backoffMs: 100, backoffFactor: 2, maxBackoffMs: 60_000 },
    estimateMs: undefined,
    group: 'default',
    createdAt: 5,
    dependencyDeadline: undefined,
    ...overrides,
  };
}
