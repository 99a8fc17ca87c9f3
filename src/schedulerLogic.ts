import type { Actor, ActorLogic, ActorSystem } from 'xstate';
import { SchedulerError } from './errors.js';
import type { NormalizedTask } from './normalizeTaskSpec.js';
import type { StoredTaskState } from './stores/TaskStore.js';
import { restoreRun, type RestoreOptions } from './supervisor/restoreRun.js';
import type { Supervisor } from './supervisor/Supervisor.js';
import { cancelEntry, changePriority, executeEntry } from './supervisor/supervisorControl.js';
import type { TaskPriority } from './types.js';

/** Events the scheduler actor accepts. */
export type SchedulerEvent =
  | { type: 'scheduler.schedule'; batch: readonly NormalizedTask[] }
  | { type: 'scheduler.restore'; states: readonly StoredTaskState[]; options: RestoreOptions }
  | { type: 'scheduler.pump' }
  | { type: 'scheduler.execute'; id: string }
  | { type: 'scheduler.cancel'; id: string; reason: string }
  | { type: 'scheduler.priority'; id: string; priority: TaskPriority }
  | { type: 'scheduler.pause' }
  | { type: 'scheduler.resume' }
  | { type: 'scheduler.stop'; reason: string }
  | { type: `xstate.done.actor.${string}` }
  | { type: `xstate.error.actor.${string}`; error: unknown };

/** The scheduler actor's snapshot: small and serializable, so inspectors can show it. */
export interface SchedulerSnapshot {
  status: 'active';
  output: undefined;
  error: undefined;
  context: { live: number; paused: boolean; stopped: boolean; queued: number };
}

const DONE_PREFIX = 'xstate.done.actor.';
const ERROR_PREFIX = 'xstate.error.actor.';

/**
 * The scheduler (supervisor) actor's logic. Its state is the {@link Supervisor}; each event
 * becomes one call on it. It is custom actor logic rather than a statechart because a
 * statechart's context is copied on every `assign` and its children object on every spawn,
 * which is O(n) per task at 300k tasks; here task actors live in a Map and are created with
 * `createActor(taskMachine, { parent })`, so XState still routes their completion back here.
 */
export function createSchedulerLogic(runtime: Supervisor): ActorLogic<SchedulerSnapshot, SchedulerEvent, undefined, ActorSystem<any>> {
  return {
    config: runtime,
    getInitialSnapshot: () => ({
      status: 'active',
      output: undefined,
      error: undefined,
      context: { live: 0, paused: false, stopped: false, queued: 0 },
    }),
    start: (_snapshot, scope) => runtime.start(scope.self),
    transition: (snapshot, event) => {
      try {
        apply(runtime, event);
      } catch (error) {
        // The store refused a batch: the scheduler halted already; the call that asked throws it.
        if (error === runtime.failure) runtime.callerError = error;
        // A bug of ours must not kill the root actor (every later call would be ignored): it is
        // reported, and the scheduler goes on with what it has.
        else runtime.outbox.reportError(new SchedulerError('INTERNAL', `scheduler failed handling ${event.type}: ${String(error)}`, { cause: error }));
      }
      const context = snapshot.context;
      context.live = runtime.registry.live;
      context.paused = runtime.isPaused;
      context.stopped = runtime.isStopped;
      context.queued = runtime.readyQueue.size;
      return snapshot;
    },
    getPersistedSnapshot: (snapshot) => snapshot,
  };
}

function apply(runtime: Supervisor, event: SchedulerEvent): void {
  switch (event.type) {
    case 'scheduler.schedule':
      runtime.addBatch(event.batch);
      return;
    case 'scheduler.restore':
      restoreRun(runtime, event.states, event.options);
      return;
    case 'scheduler.pump':
      runtime.pump();
      return;
    case 'scheduler.execute':
      executeEntry(runtime, event.id);
      return;
    case 'scheduler.cancel':
      cancelEntry(runtime, event.id, event.reason);
      return;
    case 'scheduler.priority':
      changePriority(runtime, event.id, event.priority);
      return;
    case 'scheduler.pause':
      runtime.setPaused(true);
      return;
    case 'scheduler.resume':
      runtime.setPaused(false);
      return;
    case 'scheduler.stop':
      runtime.stopAll(event.reason);
      return;
    default:
      if (event.type.startsWith(DONE_PREFIX)) runtime.lifecycle.finish(event.type.slice(DONE_PREFIX.length));
      else if (event.type.startsWith(ERROR_PREFIX)) {
        runtime.lifecycle.crash(event.type.slice(ERROR_PREFIX.length), (event as { error?: unknown }).error);
      }
  }
}

/** The scheduler (root) actor: its snapshot is {@link SchedulerSnapshot}, its events {@link SchedulerEvent}. */
export type SchedulerActorRef = Actor<ActorLogic<SchedulerSnapshot, SchedulerEvent, undefined, ActorSystem<any>>>;
