/** Codes that identify each kind of {@link SchedulerError}. */
export type SchedulerErrorCode =
  | 'TASK_SCHEDULING'
  | 'RESOURCE_ALLOCATION'
  | 'DEPENDENCY'
  | 'TASK_TIMEOUT'
  | 'MEMORY_LIMIT'
  | 'TASK_CANCELLED'
  | 'CONFIGURATION'
  | 'COMMAND_FAILED'
  | 'MODULE_FAILED'
  | 'INVALID_OPTIONS'
  | 'POLICY'
  | 'INVARIANT_VIOLATION'
  | 'INTERNAL'
  | 'SCHEDULER_STOPPED'
  | 'INVALID_DEPENDENCY'
  | 'UPSTREAM_FAILED'
  | 'DEPENDENCY_TIMEOUT'
  | 'ATTEMPT_INTERRUPTED'
  | 'TASK_STORE'
  | 'HISTORY'
  | 'TASK_NOT_RECOVERABLE'
  | 'REDIS_UNREACHABLE'
  | 'UNKNOWN_NODE'
  | 'HANDLER_MISSING'
  | 'TELEMETRY_THREAD'
  | 'MISSING_PACKAGE'
  | 'RACE_LOST';

/** Base class of every error xeno-scheduler throws or records. */
export class SchedulerError extends Error {
  readonly code: SchedulerErrorCode;
  constructor(code: SchedulerErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.name = 'SchedulerError';
  }
}

/** A task specification is invalid or refers to something unknown (bad field, duplicate or unknown id). */
export class TaskSchedulingError extends SchedulerError {
  /** The field at fault, e.g. `tasks[2].timeoutMs`. */
  readonly field: string | undefined;
  constructor(message: string, field?: string) {
    super('TASK_SCHEDULING', message);
    this.name = 'TaskSchedulingError';
    this.field = field;
  }
}

/** An option of `createScheduler` (or of a call such as `stop`) is invalid. */
export class InvalidOptionsError extends SchedulerError {
  /** The option at fault, e.g. `options.policyOptions.priorityBoost`. */
  readonly field: string;
  constructor(message: string, field: string) {
    super('INVALID_OPTIONS', message);
    this.name = 'InvalidOptionsError';
    this.field = field;
  }
}

/**
 * A scheduling policy or its ready queue threw. The task it was acting on (if any) fails with
 * this error, and it is reported on the scheduler's `error` event; the cause is the thrown value.
 */
export class PolicyError extends SchedulerError {
  readonly policy: string;
  /** The hook or queue method that threw: `compare` shows up as the queue method it ran in. */
  readonly hook: string;
  readonly taskId: string | undefined;
  constructor(policy: string, hook: string, taskId: string | undefined, cause: unknown) {
    const what = cause instanceof Error ? cause.message : String(cause);
    super('POLICY', `policy "${policy}" threw in ${hook}${taskId === undefined ? '' : ` for task "${taskId}"`}: ${what}`, { cause });
    this.name = 'PolicyError';
    this.policy = policy;
    this.hook = hook;
    this.taskId = taskId;
  }
}

/** A resource request can never be satisfied (unknown name, bad amount, larger than capacity). */
export class ResourceAllocationError extends SchedulerError {
  readonly resource: string;
  readonly requested: unknown;
  readonly capacity: number | undefined;
  constructor(message: string, details: { resource: string; requested: unknown; capacity?: number }) {
    super('RESOURCE_ALLOCATION', message);
    this.name = 'ResourceAllocationError';
    this.resource = details.resource;
    this.requested = details.requested;
    this.capacity = details.capacity;
  }
}

/** A dependency problem: unknown id, cycle, too deep, or an upstream task that failed or timed out. */
export class DependencyError extends SchedulerError {
  /** The task ids involved: the cycle's path, the unknown id, or the failed upstream. */
  readonly path: readonly string[];
  constructor(message: string, path: readonly string[] = [], code: SchedulerErrorCode = 'DEPENDENCY') {
    super(code, message);
    this.name = 'DependencyError';
    this.path = path;
  }
}

/** A batch refused at scheduling for its dependencies: an unknown id, a cycle, or a chain too deep. */
export class InvalidDependencyError extends DependencyError {
  readonly kind: 'unknown' | 'self' | 'cycle' | 'depth';
  constructor(message: string, kind: InvalidDependencyError['kind'], path: readonly string[]) {
    super(message, path, 'INVALID_DEPENDENCY');
    this.name = 'InvalidDependencyError';
    this.kind = kind;
  }
}

/** A task that never ran because a dependency failed. `path` is `[upstream, task]`. */
export class UpstreamFailedError extends DependencyError {
  readonly upstream: string;
  /** `child`: the upstream is a child the task spawned (or an alternative of its race), which it waited for. */
  constructor(taskId: string, upstream: string, relation: 'dependency' | 'child' = 'dependency') {
    super(
      relation === 'child' ? `task "${taskId}" failed: its child "${upstream}" failed` : `task "${taskId}" cannot run: dependency "${upstream}" failed`,
      [upstream, taskId],
      'UPSTREAM_FAILED',
    );
    this.name = 'UpstreamFailedError';
    this.upstream = upstream;
  }
}

/** A task waited longer than `dependencyTimeoutMs` for its dependencies. */
export class DependencyTimeoutError extends DependencyError {
  readonly timeoutMs: number;
  /** The dependencies still not completed when time ran out. */
  readonly waitingOn: readonly string[];
  constructor(taskId: string, timeoutMs: number, waitingOn: readonly string[]) {
    super(
      `task "${taskId}" waited more than ${timeoutMs} ms for its dependencies (still waiting on ${waitingOn.join(', ')})`,
      [...waitingOn, taskId],
      'DEPENDENCY_TIMEOUT',
    );
    this.name = 'DependencyTimeoutError';
    this.timeoutMs = timeoutMs;
    this.waitingOn = waitingOn;
  }
}

/** The scheduler was stopped: it accepts no tasks. */
export class SchedulerStoppedError extends SchedulerError {
  constructor() {
    super('SCHEDULER_STOPPED', 'the scheduler is stopped and accepts no tasks');
    this.name = 'SchedulerStoppedError';
  }
}

/**
 * An attempt that was running when its scheduler's process ended without stopping it (a crash, a
 * kill -9, a power loss), or whose work was otherwise lost with the process that ran it (a
 * distributed job gone from its queue, a lost worker: `WorkerLostError` in the BullMQ
 * executor). A run resumed from its store counts the crash interruptions of a task apart from its
 * retries (`maxInterruptions`): the task starts again without using a retry, and fails with this
 * error, `interruptions` set, once it was interrupted more than `maxInterruptions` times. Without
 * `interruptions` it is one attempt's error (a lost worker in a live run counts as a failed attempt).
 *
 * @example
 * new AttemptInterruptedError('a', 4, { interruptions: 4, maxInterruptions: 3 }).message;
 * // 'task "a": attempt 4 was interrupted, its 4th interruption (more than maxInterruptions 3): ...'
 */
export class AttemptInterruptedError extends SchedulerError {
  readonly taskId: string;
  readonly attempt: number;
  /** How many of the task's attempts were interrupted, this one included, when it failed for it; undefined otherwise. */
  readonly interruptions: number | undefined;
  /** The task's budget of interruptions, when it failed for exceeding it; undefined otherwise. */
  readonly maxInterruptions: number | undefined;
  constructor(taskId: string, attempt: number, budget?: { readonly interruptions: number; readonly maxInterruptions: number }) {
    const count = budget === undefined ? '' : `, its ${ordinal(budget.interruptions)} interruption (more than maxInterruptions ${budget.maxInterruptions})`;
    super('ATTEMPT_INTERRUPTED', `task "${taskId}": attempt ${attempt} was interrupted${count} (its scheduler ended without stopping it: a crash or a kill)`);
    this.name = 'AttemptInterruptedError';
    this.taskId = taskId;
    this.attempt = attempt;
    this.interruptions = budget?.interruptions;
    this.maxInterruptions = budget?.maxInterruptions;
  }
}

/** 1st, 2nd, 3rd, 4th, 11th, 21st... */
function ordinal(n: number): string {
  const tens = n % 100;
  const suffix = tens >= 11 && tens <= 13 ? 'th' : (['th', 'st', 'nd', 'rd'][n % 10] ?? 'th');
  return `${n}${suffix}`;
}

/**
 * A task store cannot be used: its file is missing a folder, unwritable, truncated, not a store,
 * written by a newer version, or held by another live process (nothing in the file was changed);
 * or a write failed while a scheduler ran (a full disk, an I/O error): the scheduler then stops
 * dispatching and reports this error to `onIdle()`, `waitForTask` and its `error` event, and the
 * store holds what was committed before it, to be resumed once the cause is fixed.
 *
 * @example
 * scheduler.onIdle().catch((error) => {
 *   if (error instanceof TaskStoreError) console.error(error.causeCode); // 'SQLITE_FULL'
 * });
 */
export class TaskStoreError extends SchedulerError {
  /** The store's file, as given (for a store without a file, a name for it). */
  readonly file: string;
  /** The cause's own code, when it has one: `SQLITE_FULL`, `SQLITE_IOERR_WRITE`, `ENOSPC`… */
  readonly causeCode: string | undefined;
  constructor(file: string, problem: string, options?: { cause?: unknown }) {
    super('TASK_STORE', `task store "${file}": ${problem}`, options);
    this.name = 'TaskStoreError';
    this.file = file;
    this.causeCode = codeOf(options?.cause);
  }
}

/**
 * The history file (`--history`, `sqliteHistory()`) cannot be used: it is not a history (garbage,
 * another program's database), was written by a newer xeno-scheduler, is held by another run,
 * is damaged, or a write to it failed. The file is named, and was left as it was.
 */
export class HistoryError extends SchedulerError {
  /** The history's file, as given. */
  readonly file: string;
  /** The cause's own code, when it has one: `SQLITE_FULL`, `SQLITE_BUSY`, `ENOSPC`… */
  readonly causeCode: string | undefined;
  constructor(file: string, problem: string, options?: { cause?: unknown }) {
    super('HISTORY', `history "${file}": ${problem}`, options);
    this.name = 'HistoryError';
    this.file = file;
    this.causeCode = codeOf(options?.cause);
  }
}

/** SQLite's primary result codes by number, for errors that carry only the number (node:sqlite). */
const SQLITE_CODES = [
  'SQLITE_OK', 'SQLITE_ERROR', 'SQLITE_INTERNAL', 'SQLITE_PERM', 'SQLITE_ABORT', 'SQLITE_BUSY', 'SQLITE_LOCKED', 'SQLITE_NOMEM',
  'SQLITE_READONLY', 'SQLITE_INTERRUPT', 'SQLITE_IOERR', 'SQLITE_CORRUPT', 'SQLITE_NOTFOUND', 'SQLITE_FULL', 'SQLITE_CANTOPEN',
  'SQLITE_PROTOCOL', 'SQLITE_EMPTY', 'SQLITE_SCHEMA', 'SQLITE_TOOBIG', 'SQLITE_CONSTRAINT', 'SQLITE_MISMATCH', 'SQLITE_MISUSE',
  'SQLITE_NOLFS', 'SQLITE_AUTH', 'SQLITE_FORMAT', 'SQLITE_RANGE', 'SQLITE_NOTADB',
];

/**
 * The code an error carries, if any: better-sqlite3's `SQLITE_FULL`, Node's `ENOSPC`, and for
 * node:sqlite (whose `code` is always `ERR_SQLITE_ERROR`) SQLite's own name of its `errcode`, so
 * that both drivers name a full disk `SQLITE_FULL`.
 *
 * @example
 * errorCodeOf(Object.assign(new Error('database or disk is full'), { code: 'ERR_SQLITE_ERROR', errcode: 13 })); // 'SQLITE_FULL'
 */
export function errorCodeOf(cause: unknown): string | undefined {
  if (typeof cause !== 'object' || cause === null) return undefined;
  const { code, errcode } = cause as { code?: unknown; errcode?: unknown };
  if (code === 'ERR_SQLITE_ERROR' && typeof errcode === 'number') return SQLITE_CODES[errcode & 0xff] ?? code;
  return typeof code === 'string' ? code : undefined;
}

const codeOf = errorCodeOf;

/**
 * A task recovered from a store whose work cannot be found: it was a `run` function (no store can
 * keep a closure) and no handler is registered for its type, nor was it scheduled again with its run.
 */
export class TaskNotRecoverableError extends SchedulerError {
  readonly taskId: string;
  readonly type: string;
  constructor(taskId: string, type: string) {
    super(
      'TASK_NOT_RECOVERABLE',
      `task "${taskId}" was recovered from the store, but its work was a \`run\` function, which no store can keep, ` +
        `and no handler is registered for its type "${type}": register a handler for "${type}", or schedule the task ` +
        'again with its run right after creating the scheduler',
    );
    this.name = 'TaskNotRecoverableError';
    this.taskId = taskId;
    this.type = type;
  }
}

/** An attempt ran longer than its `timeoutMs`. */
export class TaskTimeoutError extends SchedulerError {
  readonly taskId: string;
  readonly timeoutMs: number;
  constructor(taskId: string, timeoutMs: number) {
    super('TASK_TIMEOUT', `task "${taskId}" timed out after ${timeoutMs} ms`);
    this.name = 'TaskTimeoutError';
    this.taskId = taskId;
    this.timeoutMs = timeoutMs;
  }
}

/**
 * An attempt's measured memory went over its request by the margin, with
 * `memoryLimit: 'enforce'`: its work was killed. Its retry asks for 1.2 times the memory.
 */
export class MemoryLimitError extends SchedulerError {
  readonly taskId: string;
  /** The highest memory measured, bytes. */
  readonly peakBytes: number;
  /** The memory request, bytes. */
  readonly requestBytes: number;
  /** The limit it broke (the request plus the margin), bytes. */
  readonly limitBytes: number;
  constructor(taskId: string, peakBytes: number, requestBytes: number, limitBytes: number) {
    const mib = (bytes: number): string => `${(bytes / 2 ** 20).toFixed(1)} MiB`;
    super('MEMORY_LIMIT', `task "${taskId}" used ${mib(peakBytes)} of memory, over its request of ${mib(requestBytes)} plus the margin (limit ${mib(limitBytes)}): killed`);
    this.name = 'MemoryLimitError';
    this.taskId = taskId;
    this.peakBytes = peakBytes;
    this.requestBytes = requestBytes;
    this.limitBytes = limitBytes;
  }
}

/** The reason handed to a cancelled task's AbortSignal. */
export class TaskCancelledError extends SchedulerError {
  readonly taskId: string;
  readonly reason: string;
  constructor(taskId: string, reason: string) {
    super('TASK_CANCELLED', `task "${taskId}" was cancelled: ${reason}`);
    this.name = 'TaskCancelledError';
    this.taskId = taskId;
    this.reason = reason;
  }
}

/** A configuration or workload file is invalid. `issues` lists every problem found. */
export class ConfigurationError extends SchedulerError {
  readonly issues: readonly ConfigIssue[];
  constructor(issues: readonly ConfigIssue[]) {
    super('CONFIGURATION', issues.map(formatConfigIssue).join('\n'));
    this.name = 'ConfigurationError';
    this.issues = issues;
  }
}

/** One problem in a configuration or workload file. */
export interface ConfigIssue {
  /** The file's path, or '<string>' for parsed text. */
  readonly file: string;
  /** Key path inside the file, e.g. `scheduler.task_scheduler.max_workers`. */
  readonly path: string;
  /** 1-based line, when known. */
  readonly line: number | undefined;
  readonly expected: string;
  readonly found: string;
  /** Extra help, such as a did-you-mean. */
  readonly hint?: string;
}

/** Formats an issue as `file:line: path: expected X, found Y (hint)`. */
export function formatConfigIssue(issue: ConfigIssue): string {
  const where = issue.line === undefined ? issue.file : `${issue.file}:${issue.line}`;
  const hint = issue.hint ? ` (${issue.hint})` : '';
  return `${where}: ${issue.path || '<root>'}: expected ${issue.expected}, found ${issue.found}${hint}`;
}

/** Every alternative of a race failed: the race fails with each one's message. */
export class RaceLostError extends SchedulerError {
  readonly taskId: string;
  /** Each alternative's id and why it ended, in the race's order. */
  readonly failures: readonly { readonly id: string; readonly message: string }[];
  constructor(taskId: string, failures: readonly { readonly id: string; readonly message: string }[]) {
    super('RACE_LOST', `race "${taskId}" failed: every alternative failed (${failures.map((f) => `"${f.id}": ${f.message}`).join('; ')})`);
    this.name = 'RaceLostError';
    this.taskId = taskId;
    this.failures = failures;
  }
}
