import type { AnyActorRef, InspectionEvent, Observer, StateValue } from 'xstate';
import { stateValueToPath } from '../inspection/stateValueToPath.js';
import { toStatechartOutline, type StateNodeJson, type StatechartOutline } from '../inspection/toStatechartOutline.js';
import type { Scheduler } from '../core/scheduler.js';
import type { RunView, TransitionView } from './protocol.js';

/** Options of {@link createTaskTracker}. */
export interface TaskTrackerOptions {
  /** The scheduler's root actor: task actors are its children. */
  readonly root: AnyActorRef;
  /** Clock for transition and run times, in ms. */
  readonly now: () => number;
  /** Called after every snapshot in the system; must be cheap (it runs in the hot path). */
  readonly onChange: () => void;
  /** Transitions kept per task, newest last. @default 100 */
  readonly historyLimit?: number;
  /** Runs kept for the timeline, newest last: every attempt of a run of this many. @default 100000 */
  readonly runLimit?: number;
  /** Tasks whose history is kept; the oldest finished ones are forgotten first. @default 20000 */
  readonly taskLimit?: number;
  /**
   * The worker slot a task's attempt holds, from its record (`scheduler.getTask(id).slot`):
   * asked when inspection sees the task dispatched or running.
   */
  readonly slotOf: (taskId: string) => number | undefined;
}

/** What a {@link createTaskTracker} knows, fed by XState inspection events. */
export interface TaskTracker {
  /** The inspection observer to attach with `actor.system.inspect(observer)`. */
  readonly observer: Observer<InspectionEvent>;
  /** Ids of tasks that changed state since the last call. */
  takeChangedTasks(): string[];
  /**
   * An attempt was placed on a node (a `task:placed` event): its run carries the node, and the
   * task is marked changed (a dispatched task shows the node it waits on). A placement heard
   * before its run started (the usual case: a run starts when a worker takes the job) is kept
   * until it starts.
   */
  notePlaced(taskId: string, attempt: number, node: string): void;
  /**
   * A task is in `path` (`pending.queued`, `cancelled`…), as a scheduler event says: how a dormant
   * task (past `liveActorLimit`), which has no actor for inspection to see, gets its state and
   * history. A path the tracker already has for the task changes nothing.
   */
  noteState(taskId: string, path: string, eventType: string): void;
  /** The task's record changed with its state unchanged (a backup copy of its attempt started or ended). */
  noteChanged(taskId: string): void;
  /** Runs that started or ended since the last call. */
  takeChangedRuns(): RunView[];
  /** Every run kept, oldest first. */
  runs(): readonly RunView[];
  /** A task's transitions with times, oldest first (empty when unknown). */
  history(id: string): readonly TransitionView[];
  /** A task's active state path, when the tracker has seen it. */
  stateOf(id: string): string | undefined;
  /** The task machine drawn as states and transitions, once a task actor has been seen. */
  statechart(): StatechartOutline | null;
}

interface TaskTrack {
  state: string;
  /**
   * Inspection has seen its actor: from then on only inspection moves it. Events arrive after the
   * transition that sent them, so one could tell a state the actor has already left.
   */
  inspected: boolean;
  readonly history: TransitionView[];
  run: RunView | undefined;
  /** The slot its latest attempt held when last seen dispatched or running. */
  slot: number;
}

interface InspectedSnapshot {
  readonly value?: StateValue;
  readonly status?: string;
  readonly context?: { readonly attempt?: unknown };
}

const RUNNING = 'running';
const FINAL_PATHS: ReadonlySet<string> = new Set(['completed', 'failed', 'cancelled']);
const DISPATCHED = 'pending.dispatched';

function isRunningPath(path: string): boolean {
  return path === RUNNING || path.startsWith(`${RUNNING}.`);
}

/**
 * The `slotOf` of a tracker that follows `scheduler`: the worker slot on each task's record.
 *
 * @example
 * createTaskTracker({ root: scheduler.actor, now: Date.now, onChange: poke, slotOf: recordedSlotOf(scheduler) });
 */
export function recordedSlotOf(scheduler: Pick<Scheduler, 'hasTask' | 'getTask'>): (taskId: string) => number | undefined {
  return (id) => (scheduler.hasTask(id) ? scheduler.getTask(id).slot : undefined);
}

/**
 * Follows every task actor of a scheduler through XState inspection: the active state of each,
 * its transitions with times, and the runs of each worker slot (the slot is the scheduler's, read
 * from the task's record through `slotOf`). The observer only records and marks; building
 * messages is left to whoever calls `takeChanged…`, on their own schedule.
 *
 * @example
 * const tracker = createTaskTracker({ root: scheduler.actor, now: Date.now, onChange: poke, slotOf: recordedSlotOf(scheduler) });
 * const subscription = scheduler.actor.system.inspect(tracker.observer);
 */
export function createTaskTracker(options: TaskTrackerOptions): TaskTracker {
  const { root, now, onChange } = options;
  const historyLimit = options.historyLimit ?? 100;
  const runLimit = options.runLimit ?? 100_000;
  const taskLimit = options.taskLimit ?? 20_000;
  const tracks = new Map<string, TaskTrack>();
  const changedTasks = new Set<string>();
  const changedRuns = new Set<RunView>();
  const { slotOf } = options;
  /** Placements heard before their run started, by task id. */
  const earlyPlacements = new Map<string, { readonly attempt: number; readonly node: string }>();
  let runs: RunView[] = [];
  let outline: StatechartOutline | null = null;

  /** Ids of tracked tasks in a final state, in the order they got there. */
  const finished = new Set<string>();
  const forgetOldTasks = (): void => {
    // The oldest finished first; a waiting task only when nothing finished is left to forget.
    for (const id of finished) {
      if (tracks.size <= taskLimit) return;
      finished.delete(id);
      tracks.delete(id);
    }
    for (const [id, track] of tracks) {
      if (tracks.size <= taskLimit) return;
      if (track.run === undefined) tracks.delete(id);
    }
  };

  const startRun = (id: string, track: TaskTrack, snapshot: InspectedSnapshot, at: number): void => {
    const attempt = typeof snapshot.context?.attempt === 'number' ? snapshot.context.attempt : 1;
    const run: RunView = { task: id, attempt, slot: track.slot, start: at, end: null, outcome: null };
    const early = earlyPlacements.get(id);
    if (early !== undefined) {
      earlyPlacements.delete(id);
      if (early.attempt === attempt) run.node = early.node;
    }
    track.run = run;
    runs.push(run);
    changedRuns.add(run);
    if (runs.length > runLimit * 2) runs = runs.slice(runs.length - runLimit);
  };

  const endRun = (track: TaskTrack, outcome: string, at: number): void => {
    const run = track.run;
    if (run === undefined) return;
    run.end = at;
    run.outcome = outcome;
    track.run = undefined;
    changedRuns.add(run);
  };

  const record = (actorRef: AnyActorRef, snapshot: InspectedSnapshot, eventType: string): void => {
    if (snapshot.value === undefined) return;
    if (outline === null) outline = outlineOf(actorRef);
    move(actorRef.id, stateValueToPath(snapshot.value), eventType, snapshot, true);
  };

  const move = (id: string, path: string, eventType: string, snapshot: InspectedSnapshot, inspected: boolean): void => {
    let track = tracks.get(id);
    if (track !== undefined && (track.state === path || (track.inspected && !inspected))) return;
    const at = now();
    if (track === undefined) {
      track = { state: path, inspected, history: [], run: undefined, slot: 0 };
      tracks.set(id, track);
      if (tracks.size > taskLimit) forgetOldTasks();
    }
    track.inspected ||= inspected;
    const from = track.history.length === 0 ? null : track.state;
    track.history.push({ at, from, to: path, event: eventType });
    if (track.history.length > historyLimit) track.history.shift();
    const wasRunning = from !== null && isRunningPath(from);
    track.state = path;
    // The slot is on the record while the attempt holds it: dispatched, or running.
    if (path === DISPATCHED || isRunningPath(path)) track.slot = slotOf(id) ?? track.slot;
    if (wasRunning && !isRunningPath(path)) endRun(track, path, at);
    if (!wasRunning && isRunningPath(path)) startRun(id, track, snapshot, at);
    if (from === DISPATCHED && path === 'completed') {
      // Its result came before its `active` report: it ran, and the chart shows that it did.
      startRun(id, track, snapshot, at);
      endRun(track, path, at);
    }
    if (FINAL_PATHS.has(path)) {
      finished.add(id);
      earlyPlacements.delete(id);
    }
    changedTasks.add(id);
  };

  const observer: Observer<InspectionEvent> = {
    next(event) {
      if (event.type !== '@xstate.snapshot') return;
      const actorRef = event.actorRef as AnyActorRef;
      if (actorRef._parent === root) record(actorRef, event.snapshot as InspectedSnapshot, event.event.type);
      onChange();
    },
  };

  return {
    observer,
    takeChangedTasks() {
      const ids = [...changedTasks];
      changedTasks.clear();
      return ids;
    },
    noteState(taskId, path, eventType) {
      move(taskId, path, eventType, {}, false);
      onChange();
    },
    noteChanged(taskId) {
      changedTasks.add(taskId);
      onChange();
    },
    notePlaced(taskId, attempt, node) {
      // The task's record now has its node: a dispatched task shows where it waits for a worker.
      changedTasks.add(taskId);
      onChange();
      const run = tracks.get(taskId)?.run;
      if (run !== undefined && run.attempt === attempt) {
        run.node = node;
        changedRuns.add(run);
        return;
      }
      earlyPlacements.set(taskId, { attempt, node });
      // Kept only until the run starts; a placement whose run never comes must not pile up.
      if (earlyPlacements.size > taskLimit) earlyPlacements.delete(earlyPlacements.keys().next().value as string);
    },
    takeChangedRuns() {
      const changed = [...changedRuns];
      changedRuns.clear();
      return changed;
    },
    runs() {
      return runs.length > runLimit ? runs.slice(runs.length - runLimit) : runs;
    },
    history: (id) => tracks.get(id)?.history ?? [],
    stateOf: (id) => tracks.get(id)?.state,
    statechart: () => outline,
  };
}

function outlineOf(actorRef: AnyActorRef): StatechartOutline | null {
  const logic = (actorRef as { logic?: { toJSON?: () => unknown } }).logic;
  if (typeof logic?.toJSON !== 'function') return null;
  try {
    return toStatechartOutline(logic.toJSON() as StateNodeJson);
  } catch {
    // An unexpected definition shape must not throw inside the scheduler's inspection hot path.
    return null;
  }
}
