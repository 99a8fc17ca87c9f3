import type { TaskContext, TaskRecord, TaskSpec } from '../../src/types.js';

/** A `TaskContext` as the scheduler would build it for the first attempt of a running task. */
export function taskContext<Config>(
  config: Config,
  {
    id = 'task-1',
    signal = new AbortController().signal,
    attempt = 1,
    spawn = () => {
      throw new Error(`task "${id}" has no scheduler to spawn children in (pass spawn to taskContext)`);
    },
  }: { id?: string; signal?: AbortSignal; attempt?: number; spawn?: (specs: readonly TaskSpec<any>[]) => string[] } = {},
): TaskContext<Config> {
  const task: TaskRecord = {
    id,
    name: `${id} name`,
    type: 'test',
    priority: 3,
    status: 'running',
    pendingReason: undefined,
    attempts: attempt,
    maxAttempts: 1,
    dependencies: [],
    resources: {},
    group: 'default',
    estimateMs: undefined,
    createdAt: 0,
    readyAt: 0,
    startedAt: 0,
    completedAt: undefined,
    result: undefined,
    error: undefined,
    node: undefined,
    cached: false,
    ranBecause: undefined,
    slot: undefined,
    children: [],
    parent: undefined,
    winner: undefined,
  };
  return { task, config, attempt, signal, spawn };
}
