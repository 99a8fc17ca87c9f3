import { TaskCancelledError, TaskSchedulingError } from '../errors.js';
import { toError } from '../internal/toError.js';
import type { SchedulerClock, TaskRecord, TaskRun, TaskSpec } from '../types.js';
import type { MeasuredUsage, UsageLearner } from '../usageTypes.js';
import type { Attempt, AttemptOutcome, Executor, OutcomeSink } from './Executor.js';
import { toRecord, type BackupCopy, type TaskEntry } from './TaskEntry.js';
import type { WorkerSlots } from './WorkerSlots.js';

/** The id of a task's backup copy at its executor (and in its record's `backup.id`). */
export const backupIdOf = (id: string): string => `${id}~backup`;

/** What backing up stragglers needs of the supervisor: nothing else of it. */
export interface SpeculationHost {
  /** `speculate`: the multiple of a task's bound after which its running attempt straggles. */
  readonly multiple: number;
  readonly clock: SchedulerClock;
  readonly executor: Executor;
  /** What past runs learned: a learned p90 is a task's bound. */
  readonly estimates: UsageLearner | undefined;
  readonly slots: WorkerSlots;
  /** True while an id is a task of the scheduler (a backup's id must not be one). */
  isTask(id: string): boolean;
  allocate(owner: string, request: Readonly<Record<string, number>>): void;
  release(owner: string): void;
  /** Aborts an executor attempt, reporting an executor that throws (the supervisor's `#abort`). */
  abort(id: string, attempt: number, reason: Error): void;
  /** Asks for a dispatch pass (a straggler was found, a backup's slot freed). */
  pumpLater(): void;
  /** The supervisor's outcome sink: a winning backup's outcome ends the attempt as the original's would. */
  readonly deliver: OutcomeSink;
  /** Runs an effect after the current step (the outbox), as a start of an attempt does. */
  push(effect: () => void): void;
  emit(entry: TaskEntry): void;
  /** Free amount of a pool. */
  free(name: string): number;
  /** The priority of the next queued task (the policy's head), if one waits. */
  waitingPriority(): number | undefined;
  /** Runs what the last steps left to do (called after an outcome that came from outside a step). */
  flush(): void;
}

/** One running attempt that may straggle. */
interface Watch {
  readonly entry: TaskEntry;
  readonly attempt: number;
  /** Clock ms from which it straggles: start + bound × multiple. */
  readonly dueAt: number;
  timer: unknown;
}

/**
 * Backup copies of stragglers in a live run (`speculate`): MapReduce's backup tasks. An attempt of
 * an idempotent task is watched from when its work is active; once it has run longer than its
 * bound × `speculate` (the bound: the task's learned p90 duration, else its estimate; a task with
 * neither is never backed up), it straggles, and a dispatch pass that leaves a worker free, the
 * task's resources free and no queued task of higher priority waiting starts ONE copy of its
 * work (`<id>~backup`, the same attempt number, on the same executor), longest overrun first.
 *
 * The copy is not a task: it is not journaled and not counted in any status; it holds a worker
 * slot and the task's resources (owner `<id>~backup`) while it runs. The first copy to succeed
 * ends the attempt: a backup's success is delivered as the attempt's own (the task machine's
 * attempt guard holds), and {@link attemptEnded} then cancels the other copy. A backup's failure
 * leaves the original to go on; any end of the attempt (its failure, a timeout, a cancel, stop)
 * cancels the backup with it.
 *
 * @example
 * const speculation = new Speculation(host);
 * speculation.watch(entry, 1);          // when attempt 1's work becomes active
 * speculation.fill(reserved);           // after each dispatch pass
 * speculation.attemptEnded(entry, 1, false); // whenever attempt 1 ends, however
 */
export class Speculation {
  readonly #host: SpeculationHost;
  readonly #watches = new Map<TaskEntry, Watch>();
  /** Watches past their due time whose attempt has no backup yet. */
  readonly #stragglers = new Set<Watch>();
  /** Running backups by their id. */
  readonly #running = new Map<string, TaskEntry>();

  constructor(host: SpeculationHost) {
    this.#host = host;
  }

  /** Backups running now (each holds a worker slot). */
  get running(): number {
    return this.#running.size;
  }

  /** The bound an attempt of `entry` straggles after (× `speculate`): its learned p90, else its estimate. */
  boundOf(entry: TaskEntry): number | undefined {
    if (!entry.idempotent) return undefined;
    const learned = entry.runs === undefined ? undefined : this.#host.estimates?.estimate({ name: entry.name, runs: entry.runs, type: entry.type });
    if (learned?.p90Ms !== undefined && learned.p90Ms > 0) return learned.p90Ms;
    // The documented default estimate ('auto' with nothing learned) is no knowledge of the task;
    // an estimate of 0 would back up every attempt at once.
    const estimate = entry.estimateSource === 'default' ? undefined : entry.estimateMs;
    return estimate !== undefined && estimate > 0 ? estimate : undefined;
  }

  /** Attempt `attempt` of `entry` became active: it straggles from its start + bound × multiple. */
  watch(entry: TaskEntry, attempt: number): void {
    // A parent's work may spawn: a copy of it would spawn twice.
    if (entry.family !== undefined) return;
    const bound = this.boundOf(entry);
    if (bound === undefined) return;
    const { clock } = this.#host;
    const startedAt = entry.startedAt ?? clock.now();
    const dueAt = startedAt + bound * this.#host.multiple;
    const watch: Watch = { entry, attempt, dueAt, timer: undefined };
    this.#unwatch(entry);
    this.#watches.set(entry, watch);
    watch.timer = clock.setTimeout(() => {
      watch.timer = undefined;
      this.#stragglers.add(watch);
      this.#host.pumpLater();
    }, Math.max(0, dueAt - clock.now()));
  }

  /**
   * A running attempt whose task became backable after it started (a recovered task scheduled
   * again: its spec gives back `idempotent` and what the history knows it by): watched now, unless
   * it is watched already or had its one copy.
   */
  rewatch(entry: TaskEntry, attempt: number): void {
    if (this.#watches.has(entry) || entry.backup?.attempt === attempt) return;
    this.watch(entry, attempt);
  }

  /**
   * Starts backups of stragglers while a worker is free, longest overrun first: for each, the
   * task's resources must be spare and no queued task of higher priority may wait.
   */
  fill(reserved: ReadonlyMap<string, number>): void {
    if (this.#stragglers.size === 0 || this.#host.slots.free <= 0) return;
    const waiting = this.#host.waitingPriority();
    const now = this.#host.clock.now();
    // The earliest due has overrun longest.
    const byOverrun = [...this.#stragglers].sort((a, b) => a.dueAt - b.dueAt);
    for (const watch of byOverrun) {
      if (this.#host.slots.free <= 0) return;
      const { entry } = watch;
      // A parent's work may have spawned meanwhile: a copy of it would spawn twice.
      if (entry.family !== undefined) continue;
      if (waiting !== undefined && waiting > entry.priority) continue;
      if (!this.#fits(entry.resources, reserved)) continue;
      // A task of the scheduler with the copy's id would share its executor key.
      if (this.#host.isTask(backupIdOf(entry.id))) continue;
      this.#start(watch, now);
    }
  }

  /**
   * Attempt `attempt` of `entry` ended, however (the machine left `running`): its watch goes, and
   * so does its backup: a running one is cancelled (`lost` when `hasSucceeded`: the original won);
   * one that won has its original cancelled.
   * Returns the winning backup's start, whose run is then the attempt's measured one.
   */
  attemptEnded(entry: TaskEntry, attempt: number, hasSucceeded: boolean): number | undefined {
    const watch = this.#watches.get(entry);
    if (watch?.attempt === attempt) this.#unwatch(entry);
    const backup = entry.backup;
    if (backup === undefined || backup.attempt !== attempt) return undefined;
    if (backup.outcome === 'won') {
      this.#host.abort(entry.id, attempt, new TaskCancelledError(entry.id, `its backup copy "${backup.id}" finished first`));
      return backup.startedAt;
    }
    if (backup.outcome === 'running') {
      // The original succeeded first, or the attempt ended otherwise (a failure, timeout, cancel, stop).
      this.#end(entry, backup, hasSucceeded ? 'lost' : 'cancelled');
      this.#host.abort(backup.id, attempt, new TaskCancelledError(backup.id, `attempt ${attempt} of "${entry.id}" ended first`));
    }
    return undefined;
  }

  /**
   * A task with the id `id` was just scheduled: a running backup of that id is cancelled, as the
   * two would share one executor key (ending either would abort the other).
   */
  giveWay(id: string): void {
    const entry = this.#running.get(id);
    const backup = entry?.backup;
    if (entry === undefined || backup === undefined) return;
    this.#end(entry, backup, 'cancelled');
    this.#host.abort(id, backup.attempt, new TaskCancelledError(id, `a task with the id "${id}" was scheduled`));
  }

  /**
   * The original attempt of `parent` spawned children: a running backup is cancelled (a copy may
   * not spawn, so its result cannot stand in for work that did), and no other starts.
   */
  spawned(parent: TaskEntry): void {
    this.#unwatch(parent);
    const backup = parent.backup;
    if (backup === undefined || backup.outcome !== 'running') return;
    this.#end(parent, backup, 'cancelled', `attempt ${backup.attempt} spawned children`);
    this.#host.abort(backup.id, backup.attempt, new TaskCancelledError(backup.id, `attempt ${backup.attempt} of "${parent.id}" spawned children`));
  }

  /** Each pool has the request free beyond what is reserved for blocked queued tasks. */
  #fits(request: Readonly<Record<string, number>>, reserved: ReadonlyMap<string, number>): boolean {
    for (const name in request) if ((request[name] as number) > this.#host.free(name) - (reserved.get(name) ?? 0)) return false;
    return true;
  }

  #unwatch(entry: TaskEntry): void {
    const watch = this.#watches.get(entry);
    if (watch === undefined) return;
    if (watch.timer !== undefined) this.#host.clock.clearTimeout(watch.timer);
    this.#watches.delete(entry);
    this.#stragglers.delete(watch);
  }

  #start(watch: Watch, now: number): void {
    const { entry, attempt } = watch;
    this.#stragglers.delete(watch);
    const id = backupIdOf(entry.id);
    const backup: BackupCopy = { id, attempt, outcome: 'running', startedAt: now, endedAt: undefined, slot: this.#host.slots.take(), node: undefined, error: undefined, measured: undefined };
    if (entry.hasResources) this.#host.allocate(id, entry.resources);
    entry.backup = backup;
    this.#running.set(id, entry);
    this.#host.emit(entry);
    const { executor } = this.#host;
    const handle = new BackupAttempt(entry, backup);
    this.#host.push(() => {
      // Cancelled in the same step (the original ended first): nothing to start.
      if (backup.outcome !== 'running') return;
      try {
        executor.start(handle, this.#report);
      } catch (error) {
        this.#report(id, attempt, { ok: false, error: toError(error) });
      }
    });
  }

  /** Where the executor reports a backup's outcome (from outside any step). */
  readonly #report: OutcomeSink = (id: string, attempt: number, outcome: AttemptOutcome): void => {
    const entry = this.#running.get(id);
    const backup = entry?.backup;
    // Late: the copy was cancelled (its attempt ended) before its outcome came.
    if (entry === undefined || backup === undefined || backup.attempt !== attempt || backup.outcome !== 'running') return;
    if (outcome.usage !== undefined) backup.measured = outcome.usage;
    if (outcome.ok && (outcome.spawned?.length ?? 0) === 0) {
      this.#end(entry, backup, 'won');
      // Its run is the attempt's measured one; the original is cancelled when the attempt ends.
      entry.measured = backup.measured;
      this.#host.deliver(entry.id, attempt, { ok: true, result: outcome.result });
      return;
    }
    const error = outcome.ok ? 'a backup copy cannot spawn children' : outcome.error.message;
    this.#end(entry, backup, 'failed', error);
    this.#host.pumpLater();
    this.#host.flush();
  };

  /** A backup ends: its slot and resources go back, and watchers hear how. */
  #end(entry: TaskEntry, backup: BackupCopy, outcome: BackupCopy['outcome'], error?: string): void {
    backup.outcome = outcome;
    backup.endedAt = this.#host.clock.now();
    backup.error = error;
    if (backup.slot !== undefined) this.#host.slots.give(backup.slot);
    backup.slot = undefined;
    if (entry.hasResources) this.#host.release(backup.id);
    this.#running.delete(backup.id);
    this.#host.emit(entry);
  }
}

/** A backup copy as its executor sees it: the task's work under the copy's id, the attempt's number. */
class BackupAttempt implements Attempt {
  readonly taskId: string;
  readonly attempt: number;
  readonly type: string;
  readonly config: unknown;
  readonly run: TaskRun<any>;
  readonly #entry: TaskEntry;
  readonly #backup: BackupCopy;

  constructor(entry: TaskEntry, backup: BackupCopy) {
    this.taskId = backup.id;
    this.attempt = backup.attempt;
    this.type = entry.type;
    this.config = entry.config;
    this.run = entry.run;
    this.#entry = entry;
    this.#backup = backup;
  }

  record(): TaskRecord {
    return toRecord(this.#entry);
  }

  placed(node: string): void {
    this.#backup.node = node;
  }

  /**
   * Nothing to announce: a copy is not an attempt of its own (no `task:started`, no deadline of
   * its own; the attempt's timeout already bounds it), and its time counts from its start.
   */
  active(): void {}

  measured(usage: MeasuredUsage): void {
    if (this.#backup.outcome === 'running') this.#backup.measured = usage;
  }

  spawn(specs: readonly TaskSpec<any>[]): string[] {
    // No children is no spawn (`goals.map(...)` of no goals): the copy goes on.
    if (Array.isArray(specs) && specs.length === 0) return [];
    throw new TaskSchedulingError(`task "${this.#entry.id}": its backup copy cannot spawn children (only the original attempt may)`, 'spawn');
  }
}
