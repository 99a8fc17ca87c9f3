import { context, ROOT_CONTEXT, SpanKind, SpanStatusCode } from '@opentelemetry/api';
import type { Attributes, Context, Link, Span, SpanContext, Tracer } from '@opentelemetry/api';
import type { TaskRecord } from '../types.js';
import { AttributeNames } from './AttributeNames.js';
import type { TaskEventRecorder } from './TaskEventRecorder.js';

/** What the span recorder keeps of a live task. */
interface TaskTrace {
  /** The context active when the task was scheduled: its spans' parent. */
  readonly parent: Context;
  /** Where the current wait began: scheduling, or the failure before a retry. */
  waitStart: number;
  /** The attempt running now. */
  run: Span | undefined;
}

/** Options of {@link createSpanRecorder}. */
export interface SpanRecorderOptions {
  /** Attributes on every span (policy, node). */
  readonly common: Attributes;
  /** The scheduler's clock, in ms: for the moments task records do not carry (a retry). */
  readonly now: () => number;
  /** Finished tasks whose last span is kept for their dependents' links; the oldest go first. */
  readonly linkLimit: number;
}

/**
 * The trace half of {@link instrumentScheduler}. Every attempt is a span `run <type>` from its
 * start to its outcome; the wait before it is a span `wait <type>` (from scheduling, or from the
 * failure before a retry, with an event `ready` when the dependencies were done). A task that
 * ends without running (an upstream failed or was cancelled, it was cancelled while waiting) ends
 * its `wait` span with its status. Each span links to the last span of every dependency, and its
 * parent is the context that was active when the task was scheduled.
 *
 * @example
 * const recorder = createSpanRecorder(trace.getTracer('xeno-scheduler'), { common: {}, now: Date.now, linkLimit: 10_000 });
 */
export function createSpanRecorder(tracer: Tracer, options: SpanRecorderOptions): TaskEventRecorder {
  const { common, now, linkLimit } = options;
  const live = new Map<string, TaskTrace>();
  /** The last span of each finished task, oldest first, for its dependents' links. */
  const finished = new Map<string, SpanContext>();

  const attributesOf = (task: TaskRecord, attempt: number): Attributes => ({
    ...common,
    [AttributeNames.taskId]: task.id,
    [AttributeNames.taskName]: task.name,
    [AttributeNames.taskType]: task.type,
    [AttributeNames.taskPriority]: task.priority,
    [AttributeNames.taskAttempt]: attempt,
  });
  const linksOf = (task: TaskRecord): Link[] => {
    const links: Link[] = [];
    for (const id of task.dependencies) {
      const spanContext = finished.get(id);
      if (spanContext !== undefined) links.push({ context: spanContext });
    }
    return links;
  };
  const traceOf = (task: TaskRecord): TaskTrace => {
    let state = live.get(task.id);
    // A task scheduled before the recorder existed: its spans start at its creation, as roots.
    if (state === undefined) live.set(task.id, (state = { parent: ROOT_CONTEXT, waitStart: task.createdAt, run: undefined }));
    return state;
  };
  const remember = (id: string, span: Span): void => {
    live.delete(id);
    if (linkLimit === 0) return;
    finished.set(id, span.spanContext());
    if (finished.size > linkLimit) finished.delete(finished.keys().next().value as string);
  };
  const fail = (span: Span, error: Error): void => {
    span.recordException(error);
    span.setStatus({ code: SpanStatusCode.ERROR, message: error.message });
  };
  const startWait = (task: TaskRecord, state: TaskTrace, attempt: number): Span => {
    const span = tracer.startSpan(
      `wait ${task.type}`,
      { kind: SpanKind.INTERNAL, startTime: state.waitStart, attributes: attributesOf(task, attempt), links: linksOf(task) },
      state.parent,
    );
    if (attempt === 1 && task.readyAt !== undefined && task.readyAt > state.waitStart) span.addEvent('ready', undefined, task.readyAt);
    return span;
  };

  return {
    scheduled(task) {
      live.set(task.id, { parent: context.active(), waitStart: task.createdAt, run: undefined });
    },
    started(task, attempt) {
      const state = traceOf(task);
      const startedAt = task.startedAt ?? now();
      startWait(task, state, attempt).end(startedAt);
      state.run = tracer.startSpan(
        `run ${task.type}`,
        { kind: SpanKind.INTERNAL, startTime: startedAt, attributes: attributesOf(task, attempt), links: linksOf(task) },
        state.parent,
      );
    },
    retrying(task, error) {
      const state = traceOf(task);
      const at = now();
      const span = state.run;
      state.run = undefined;
      state.waitStart = at;
      if (span === undefined) return;
      span.setAttribute(AttributeNames.taskStatus, 'retrying');
      fail(span, error);
      span.end(at);
    },
    ended(task, status, detail) {
      const state = traceOf(task);
      // No attempt running: the task ends while it waits, and its wait span says how.
      const span = state.run ?? startWait(task, state, task.attempts + 1);
      span.setAttribute(AttributeNames.taskStatus, status);
      if (status === 'completed') span.setStatus({ code: SpanStatusCode.OK });
      else if (status === 'failed') fail(span, detail.error ?? task.error ?? new Error('failed'));
      else span.setAttribute(AttributeNames.cancelReason, detail.reason ?? 'cancelled');
      span.end(task.completedAt ?? now());
      remember(task.id, span);
    },
  };
}

