import { PolicyError } from '../errors.js';
import type { PolicyContext, ReadyQueue, SchedulingPolicy } from '../types.js';
import type { GuardedQueue } from './GuardedQueue.js';
import { statusOf, type TaskEntry } from './TaskEntry.js';

/** What repairing the queue needs of the supervisor. */
export interface QueueRepairHost {
  readonly guarded: GuardedQueue;
  readonly policy: SchedulingPolicy;
  readonly policyContext: PolicyContext;
  entryOf(id: string): TaskEntry | undefined;
  /** The entries marked queued, in submission order. */
  queuedBySeq(): TaskEntry[];
  /** Counts a failure about the whole queue; returns how many came before it since the last dispatch. */
  strike(): number;
  reportError(error: PolicyError): void;
  /** A queued task the policy cannot order: out of the queue's count, and it fails with `error`. */
  failQueued(entry: TaskEntry, error: PolicyError): void;
  pumpLater(): void;
}

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
export function repairQueue(host: QueueRepairHost): void {
  const guarded = host.guarded;
  if (!guarded.hasFailures) return;
  const policy = host.policy;
  const queued = host.queuedBySeq();
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
    else if (host.strike() > 0) blame(policyError, queued);
    else host.reportError(policyError);
  }
  const fresh = (): boolean => {
    try {
      guarded.replace(policy.createQueue(host.policyContext));
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
    const entry = host.entryOf(id);
    if (!entry || statusOf(entry) !== 'pending') continue;
    if (!reported.has(error)) host.reportError(error);
    reported.add(error);
    host.failQueued(entry, error);
  }
  host.pumpLater();
}
