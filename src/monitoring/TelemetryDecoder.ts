import { createTraceState, ROOT_CONTEXT, trace, type Context } from '@opentelemetry/api';
import { BinaryReader } from '../internal/BinaryReader.js';
import type { TaskPriority, TaskRecord, TaskStatus } from '../types.js';
import type { TaskEventRecorder } from './TaskEventRecorder.js';
import { EventKind } from './TelemetryMessages.js';

const NO_RESOURCES: Readonly<Record<string, number>> = Object.freeze({});

/** The fields every event with a whole task carries (see TelemetryEncoder). */
interface WireTask {
  readonly id: string;
  readonly name: string;
  readonly type: string;
  readonly priority: TaskPriority;
  readonly dependencies: readonly string[];
  readonly createdAt: number;
  readonly readyAt: number | undefined;
}

/** What else a record needs. */
interface TaskState {
  readonly status: TaskStatus;
  readonly attempts: number;
  readonly startedAt: number | undefined;
  readonly completedAt: number | undefined;
  readonly node: string | undefined;
  readonly error: Error | undefined;
}

/**
 * A record as the telemetry thread knows it: what the wire carries, the rest empty (no result,
 * resources or group: the recorders read none of them).
 */
function toRecord(task: WireTask, state: TaskState): TaskRecord {
  return {
    id: task.id,
    name: task.name,
    type: task.type,
    priority: task.priority,
    status: state.status,
    pendingReason: undefined,
    attempts: state.attempts,
    maxAttempts: state.attempts,
    dependencies: task.dependencies,
    resources: NO_RESOURCES,
    group: '',
    estimateMs: undefined,
    createdAt: task.createdAt,
    readyAt: task.readyAt,
    startedAt: state.startedAt,
    completedAt: state.completedAt,
    result: undefined,
    error: state.error,
    node: state.node,
    cached: false,
    ranBecause: undefined,
  };
}

/** NaN stands for undefined on the wire. */
const optionalNumber = (value: number): number | undefined => (Number.isNaN(value) ? undefined : value);

/**
 * The telemetry thread's side: replays each batch of {@link TelemetryEncoder} on the recorders,
 * with records rebuilt from the wire. A started task's record is kept until its attempt ends,
 * for the short completion that follows.
 *
 * @example
 * const decoder = new TelemetryDecoder(createRecorders(options, tracerProvider, meterProvider, () => stats));
 * decoder.apply(message.buffer);
 */
export class TelemetryDecoder {
  readonly #recorders: readonly TaskEventRecorder[];
  /** Records of the attempts running, by task id. */
  readonly #running = new Map<string, TaskRecord>();

  constructor(recorders: readonly TaskEventRecorder[]) {
    this.#recorders = recorders;
  }

  /** Replays one batch. */
  apply(buffer: ArrayBuffer): void {
    const reader = new BinaryReader(buffer);
    while (!reader.isDone) {
      const kind = reader.u8();
      if (kind === EventKind.SCHEDULED) this.#scheduled(reader);
      else if (kind === EventKind.STARTED) this.#started(reader);
      else if (kind === EventKind.RETRYING) this.#retrying(reader);
      else if (kind === EventKind.COMPLETED) this.#completed(reader);
      else if (kind === EventKind.ENDED) this.#ended(reader);
      else throw new TypeError(`telemetry batch: expected an event kind, found ${kind}`);
    }
  }

  #scheduled(r: BinaryReader): void {
    const record = toRecord(readTask(r), { status: 'pending', attempts: 0, startedAt: undefined, completedAt: undefined, node: undefined, error: undefined });
    const parent = r.u8() === 1 ? readParent(r) : undefined;
    for (const recorder of this.#recorders) recorder.scheduled?.(record, parent);
  }

  #started(r: BinaryReader): void {
    const task = readTask(r);
    const startedAt = optionalNumber(r.f64());
    const attempt = r.f64();
    const record = toRecord(task, { status: 'running', attempts: attempt, startedAt, completedAt: undefined, node: undefined, error: undefined });
    this.#running.set(record.id, record);
    for (const recorder of this.#recorders) recorder.started(record, attempt);
  }

  #retrying(r: BinaryReader): void {
    const id = r.string();
    const at = r.f64();
    const node = r.optionalString();
    const error = readError(r);
    const started = this.#running.get(id);
    if (started === undefined) return;
    this.#running.delete(id);
    const record = toRecord(started, { status: 'pending', attempts: started.attempts, startedAt: started.startedAt, completedAt: undefined, node, error });
    for (const recorder of this.#recorders) recorder.retrying?.(record, error, at);
  }

  #completed(r: BinaryReader): void {
    const id = r.string();
    const completedAt = optionalNumber(r.f64());
    const node = r.optionalString();
    const started = this.#running.get(id);
    if (started === undefined) return;
    this.#running.delete(id);
    const record = toRecord(started, { status: 'completed', attempts: started.attempts, startedAt: started.startedAt, completedAt, node, error: undefined });
    for (const recorder of this.#recorders) recorder.ended(record, 'completed', {});
  }

  #ended(r: BinaryReader): void {
    const task = readTask(r);
    const status = r.u8() === 0 ? 'failed' : 'cancelled';
    const completedAt = optionalNumber(r.f64());
    const node = r.optionalString();
    const attempts = r.f64();
    const error = status === 'failed' ? readError(r) : undefined;
    const reason = status === 'cancelled' ? r.string() : undefined;
    const started = this.#running.get(task.id);
    this.#running.delete(task.id);
    const record = toRecord(task, { status, attempts, startedAt: started?.startedAt, completedAt, node, error });
    for (const recorder of this.#recorders) recorder.ended(record, status, error === undefined ? { reason: reason as string } : { error });
  }
}

function readTask(r: BinaryReader): WireTask {
  const id = r.string();
  const name = r.optionalString() ?? id;
  const type = r.string();
  const priority = r.f64() as TaskPriority;
  const dependencies: string[] = [];
  for (let count = r.u32(); count > 0; count--) dependencies.push(r.string());
  const createdAt = r.f64();
  const readyAt = optionalNumber(r.f64());
  return { id, name, type, priority, dependencies, createdAt, readyAt };
}

function readError(r: BinaryReader): Error {
  const name = r.string();
  const message = r.string();
  const stack = r.optionalString();
  const code = r.optionalString();
  const error: Error & { code?: string } = new Error(message);
  error.name = name;
  // An error that had no stack gets none here either (recordException would record this thread's).
  if (stack === undefined) delete error.stack;
  else error.stack = stack;
  if (code !== undefined) error.code = code;
  return error;
}

function readParent(r: BinaryReader): Context {
  const traceId = r.string();
  const spanId = r.string();
  const traceFlags = r.u8();
  const traceState = r.optionalString();
  const isRemote = r.u8() === 1;
  return trace.setSpanContext(ROOT_CONTEXT, { traceId, spanId, traceFlags, isRemote, ...(traceState === undefined ? {} : { traceState: createTraceState(traceState) }) });
}
