import { TaskSchedulingError } from '../errors.js';
import type { NormalizedTask } from '../normalizeTaskSpec.js';
import { dependencyProblemToError } from './dependencyProblemToError.js';
import type { Supervisor } from './Supervisor.js';
import { toStoredTask } from './toStoredTask.js';
import { toRecord, UNSTARTED, type TaskEntry } from './TaskEntry.js';
import { newFamily } from './Family.js';

/**
 * Checks a normalized batch against the registry and the graph: a duplicate id, an unknown
 * dependency, a cycle or a chain too deep throws, and nothing changes.
 *
 * @example
 * checkBatch(supervisor, batch);
 */
export function checkBatch(s: Supervisor, batch: readonly NormalizedTask[], list = 'tasks'): void {
  s.registry.flushForgotten();
  const seen = new Set<string>();
  batch.forEach((task, i) => {
    if (s.registry.entries.has(task.id) || seen.has(task.id)) {
      throw new TaskSchedulingError(`${list}[${i}].id: "${task.id}" is already used by another task`, `${list}[${i}].id`);
    }
    seen.add(task.id);
  });
  const problem = s.dag.check(batch, s.settings.maxDependencyDepth);
  if (problem) throw dependencyProblemToError(problem, s.settings.maxDependencyDepth);
}

/**
 * Adds a checked batch: recorded in the store as one first (a store that cannot write throws,
 * and nothing of the batch is added), then an entry and a live actor per task, then the ready
 * ones queued with one event.
 *
 * @example
 * admitBatch(supervisor, batch);
 */
export function admitBatch(s: Supervisor, batch: readonly NormalizedTask[]): void {
  const now = s.settings.clock.now();
  const dag = s.dag;
  const created: TaskEntry[] = [];
  for (const task of batch) {
    // Ready when every dependency completed already, as the graph will say once it has the batch.
    const waiting = task.dependencies.some((id) => dag.outcomeOf(id) !== 'completed');
    const entry: TaskEntry = {
      id: task.id,
      name: task.name,
      type: task.type,
      priority: task.priority,
      seq: s.nextSeq(),
      attempts: 0,
      maxAttempts: task.retry.attempts,
      retry: task.retry,
      dependencies: task.dependencies,
      resources: task.resources,
      hasResources: Object.keys(task.resources).length > 0,
      group: task.group,
      estimateMs: task.estimateMs,
      config: task.config,
      run: task.run,
      timeoutMs: task.timeoutMs,
      createdAt: now,
      dependencyDeadline: waiting && s.settings.dependencyTimeoutMs > 0 ? now + s.settings.dependencyTimeoutMs : undefined,
      readyAt: waiting ? Number.NaN : now,
      startedAt: undefined,
      completedAt: undefined,
      result: undefined,
      error: undefined,
      cancelReason: undefined,
      parent: task.parent,
      ...UNSTARTED,
    };
    if (task.race !== undefined) entry.family = newFamily('race');
    created.push(entry);
  }
  const store = s.settings.store;
  if (store !== undefined) {
    store.addTasks(created.map((entry, i) => toStoredTask(entry, batch[i] as NormalizedTask)));
    // A store infers a new task waits when it has dependencies; these were done already.
    for (const entry of created) {
      if (entry.dependencies.length > 0 && !Number.isNaN(entry.readyAt)) store.record({ kind: 'ready', id: entry.id, at: entry.readyAt });
    }
  }
  s.graph.send({ type: 'graph.add', batch });
  for (const entry of created) {
    s.registry.add(entry);
    s.actors.admit(entry, Number.isNaN(entry.readyAt) ? 'dependencies' : 'queued');
    if (entry.parent !== undefined) adopt(s.registry.require(entry.parent), entry.id);
  }
  s.waiters.busy();
  for (const entry of created) s.outbox.emit('task:scheduled', () => ({ task: toRecord(entry) }));
  // Only now is the whole batch known, so policies that rank by the graph see all of it.
  const ready: TaskEntry[] = [];
  for (const entry of created) {
    const upstream = Number.isNaN(entry.readyAt) ? s.lifecycle.abandonedUpstream(entry.dependencies) : undefined;
    if (upstream) s.lifecycle.doom(entry, upstream.id, upstream.outcome);
    else if (Number.isNaN(entry.readyAt)) {
      if (entry.dependencyDeadline !== undefined) s.deadlines.arm(entry.id);
    } else ready.push(entry);
  }
  s.enqueue(ready);
  s.schedulePump();
}

/** A child joins its parent's family (a spawn's, made with the first child; a race's, made with the race). */
function adopt(parent: TaskEntry, child: string): void {
  const family = (parent.family ??= newFamily('spawn'));
  family.children.push(child);
  family.open++;
}
