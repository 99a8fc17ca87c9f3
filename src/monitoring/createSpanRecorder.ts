import { ROOT_CONTEXT, SpanKind, SpanStatusCode } from '@opentelemetry/api';
import type { Attributes, Context, Span, SpanOptions, SpanStatus, Tracer } from '@opentelemetry/api';
import type { TaskRecord } from '../types.js';
import { AttributeNames } from './AttributeNames.js';
import { FinishedSpans } from './FinishedSpans.js';
import type { TaskEventRecorder } from './TaskEventRecorder.js';

/** Options of {@link createSpanRecorder}. */
export interface SpanRecorderOptions {
  /** Attributes on every span (policy, node). */
  readonly common: Attributes;
  /** The scheduler's clock, in ms: for a moment a record lacks (none should). */
  readonly now: () => number;
  /** Finished tasks no known dependent waits for whose last span is still kept, for dependents scheduled later; the oldest go first. */
  readonly linkLimit: number;
  /** Also emit each wait as a span of its own (`wait <type>`), not only as the run span's `wait` event. */
  readonly waitSpans: boolean;
}

const STATUS_OK: SpanStatus = Object.freeze({ code: SpanStatusCode.OK });
const WAIT_DURATION = 'task.wait.duration';
const QUEUE_DURATION = 'task.queue.duration';

/**
 * Builds a span's attributes as a plain object of fixed shape, with `common` copied in after.
 * Spreading `common` into a literal with computed keys instead makes a slow dictionary-mode
 * object, about 7 µs each: more than the SDK's whole span.
 */
function spanAttributes(common: Attributes): (task: TaskRecord, attempt: number) => Attributes {
  const shared = Object.entries(common);
  return (task, attempt) => {
    const attributes: Attributes = {
      [AttributeNames.taskId]: task.id,
      [AttributeNames.taskName]: task.name,
      [AttributeNames.taskType]: task.type,
      [AttributeNames.taskPriority]: task.priority,
      [AttributeNames.taskAttempt]: attempt,
    };
    for (const [key, value] of shared) attributes[key] = value;
    return attributes;
  };
}

/**
 * The trace half of {@link instrumentScheduler}. Every attempt is a span `run <type>` from its
 * start to its outcome. Its wait is the span's first event, `wait`, stamped when the wait began
 * (scheduling, or the failure before a retry) with `task.wait.duration` and
 * `task.queue.duration` (from ready to start) in seconds; with `waitSpans` it is also a span
 * `wait <type>`. A task that ends without running (an upstream failed or was cancelled, it was
 * cancelled while waiting) gets a `wait <type>` span ending with its status. Each span links to
 * the last span of every dependency; its parent is the context active when the task was
 * scheduled, as `scheduled` hands it (none: a root span). In a distributed run an attempt's span ends with the node it ran
 * on as `scheduler.node`.
 *
 * @example
 * const recorder = createSpanRecorder(trace.getTracer('xeno-scheduler'), { common: {}, now: Date.now, linkLimit: 10_000, waitSpans: false });
 */
export function createSpanRecorder(tracer: Tracer, options: SpanRecorderOptions): TaskEventRecorder {
  const { now, waitSpans } = options;
  const attributesOf = spanAttributes(options.common);
  /** Contexts active when tasks were scheduled, only where a span was active (most have none). */
  const parents = new Map<string, Context>();
  /** The span of each attempt running now. */
  const running = new Map<string, Span>();
  /** When the wait before a retry began (the failure), by task id. */
  const retryWaits = new Map<string, number>();
  const finished = new FinishedSpans(options.linkLimit);
  /** Span names by task type, made once per type. */
  const runNames = new Map<string, string>();

  const startSpan = (name: string, task: TaskRecord, attempt: number, startTime: number): Span => {
    const links = finished.linksTo(task.dependencies);
    const spanOptions: SpanOptions = { kind: SpanKind.INTERNAL, startTime, attributes: attributesOf(task, attempt) };
    if (links !== undefined) spanOptions.links = links;
    // A task scheduled outside any span is a root, whatever happens to be active when it starts.
    return tracer.startSpan(name, spanOptions, (parents.size === 0 ? undefined : parents.get(task.id)) ?? ROOT_CONTEXT);
  };
  const startWaitSpan = (task: TaskRecord, attempt: number, waitStart: number): Span => {
    const span = startSpan(`wait ${task.type}`, task, attempt, waitStart);
    if (attempt === 1 && task.readyAt !== undefined && task.readyAt > waitStart) span.addEvent('ready', undefined, task.readyAt);
    return span;
  };
  /** `isRecorded`: asked before the span ended (an ended span records nothing more). */
  const remember = (id: string, span: Span, isRecorded: boolean): void => {
    if (parents.size > 0) parents.delete(id);
    if (retryWaits.size > 0) retryWaits.delete(id);
    // A span not recorded (no SDK, or sampled out) is nothing a dependent could link to.
    if (isRecorded) finished.remember(id, span.spanContext());
  };
  /** In a distributed run the record says which node the attempt went to (unknown at its start). */
  const notePlacement = (span: Span, task: TaskRecord): void => {
    if (task.node !== undefined) span.setAttribute(AttributeNames.node, task.node);
  };
  const fail = (span: Span, error: Error): void => {
    span.recordException(error);
    span.setStatus({ code: SpanStatusCode.ERROR, message: error.message });
  };

  return {
    scheduled(task, parent) {
      if (task.dependencies.length > 0) finished.hold(task.dependencies);
      if (parent !== undefined) parents.set(task.id, parent);
    },
    started(task, attempt) {
      const startedAt = task.startedAt ?? now();
      const waitStart = (retryWaits.size === 0 ? undefined : retryWaits.get(task.id)) ?? task.createdAt;
      const readyAt = task.readyAt ?? waitStart;
      if (waitSpans) startWaitSpan(task, attempt, waitStart).end(startedAt);
      let name = runNames.get(task.type);
      if (name === undefined) runNames.set(task.type, (name = `run ${task.type}`));
      const span = startSpan(name, task, attempt, startedAt);
      if (span.isRecording()) span.addEvent('wait', { [WAIT_DURATION]: Math.max(0, startedAt - waitStart) / 1000, [QUEUE_DURATION]: Math.max(0, startedAt - readyAt) / 1000 }, waitStart);
      running.set(task.id, span);
    },
    retrying(task, error, at) {
      retryWaits.set(task.id, at);
      const span = running.get(task.id);
      if (span === undefined) return;
      running.delete(task.id);
      span.setAttribute(AttributeNames.taskStatus, 'retrying');
      notePlacement(span, task);
      fail(span, error);
      span.end(at);
    },
    ended(task, status, detail) {
      let span = running.get(task.id);
      // Its attempt started before the instrumentation did (so was it scheduled, and nothing was
      // held for it): no span of it was begun, and none is made up.
      if (span === undefined && status === 'completed') return;
      if (span === undefined) {
        // No attempt running: the task ends while it waits, and its wait span says how.
        span = startWaitSpan(task, task.attempts + 1, retryWaits.get(task.id) ?? task.createdAt);
      } else {
        running.delete(task.id);
        notePlacement(span, task);
      }
      const isRecorded = span.isRecording();
      span.setAttribute(AttributeNames.taskStatus, status);
      if (status === 'completed') span.setStatus(STATUS_OK);
      else if (status === 'failed') fail(span, detail.error ?? task.error ?? new Error('failed'));
      else span.setAttribute(AttributeNames.cancelReason, detail.reason ?? 'cancelled');
      span.end(task.completedAt ?? now());
      remember(task.id, span, isRecorded);
      if (task.dependencies.length > 0) finished.release(task.dependencies);
    },
  };
}
