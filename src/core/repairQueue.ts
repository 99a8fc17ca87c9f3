import { PolicyError } from '../errors.js';
import type { ReadyQueue } from '../types.js';
import type { Supervisor } from './Supervisor.js';
import { statusOf, type TaskEntry } from './TaskEntry.js';

/** Stands in when the policy cannot make a queue: every task pushed fails (and a new try follows). */
const NO_QUEUE: ReadyQueue = {
  size: 0,
  push: () => {
    throw new Error('the policy has no working queue');
  },
  remove: () => false,
  update: () => false,
  peek: () => undefined,
  pop: () => undefined,
  ordered: () => [],
};

/**
 * After a call into the policy's queue threw: the task it was about fails with a PolicyError,
 * and the queue is rebuilt from the tasks still queued. A failure about the whole queue (peek,
 * ordered), or a rebuild that fails again, means the policy cannot order these tasks at all:
 * every queued task fails. Either way every task reaches a final state and frees what it held.
 */
export function repairQueue(supervisor: Supervisor): void {
  const guarded = supervisor.guardedQueue;
  if (guarded === undefined || !guarded.hasFailures) return;
  const policy = supervisor.settings.policy;
  const queued = [...supervisor.registry.entries.values()].filter((entry) => entry.queued).sort((a, b) => a.seq - b.seq);
  const culprits = new Map<string, PolicyError>();
  const blame = (error: PolicyError, entries: readonly TaskEntry[]): void => {
    for (const entry of entries) culprits.set(entry.id, error);
  };
  for (const { method, taskId, error } of guarded.takeFailures()) {
    const policyError = new PolicyError(policy.name, method, taskId, error);
    if (taskId !== undefined) culprits.set(taskId, policyError);
    // A failure about the whole queue (peek, ordered, size) blames no task: a fresh queue gets
    // another chance; only when it fails again before anything was dispatched, the policy cannot
    // order these tasks at all.
    else if (supervisor.queueStrikes++ > 0) blame(policyError, queued);
    else supervisor.outbox.reportError(policyError);
  }
  const fresh = (): boolean => {
    try {
      guarded.replace(policy.createQueue(supervisor.policyContext));
      return true;
    } catch (error) {
      blame(new PolicyError(policy.name, 'createQueue', undefined, error), queued);
      guarded.replace(NO_QUEUE);
      return false;
    }
  };
  if (fresh()) {
    const keep = queued.filter((entry) => !culprits.has(entry.id));
    for (const entry of keep) guarded.push(entry);
    if (guarded.hasFailures) {
      // The fresh queue failed too: the policy cannot order what is queued. Later tasks get
      // another fresh queue.
      const again = guarded.takeFailures()[0];
      blame(new PolicyError(policy.name, again?.method ?? 'push', again?.taskId, again?.error), keep);
      fresh();
    }
  }
  const reported = new Set<PolicyError>();
  for (const [id, error] of culprits) {
    const entry = supervisor.registry.entries.get(id);
    if (!entry || statusOf(entry) !== 'pending') continue;
    entry.queued = false;
    supervisor.queuedCount--;
    if (!reported.has(error)) supervisor.outbox.reportError(error);
    reported.add(error);
    supervisor.actors.send(entry, { type: 'task.upstreamFailed', error });
  }
  supervisor.pumpLater();
}
