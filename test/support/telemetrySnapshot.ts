import type { HrTime } from '@opentelemetry/api';
import type { MetricData } from '@opentelemetry/sdk-metrics';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';

/** A span as two runs can compare it: ids replaced by the task and span name they belong to, times in ms. */
export interface SpanShape {
  name: string;
  attributes: Record<string, unknown>;
  status: { code: number; message?: string | undefined };
  events: { name: string; attributes: Record<string, unknown>; atMs: number }[];
  /** Linked spans, as `<span name> <task id> #<attempt>`. */
  links: string[];
  /** The parent span's name, for a parent outside these spans; `undefined` for a root. */
  parent: string | undefined;
  startMs: number;
  endMs: number;
}

/** A metric point as two runs can compare it. */
export interface PointShape {
  metric: string;
  unit: string;
  attributes: Record<string, unknown>;
  value: unknown;
}

const ms = ([seconds, nanos]: HrTime): number => Math.round(seconds * 1000 + nanos / 1e6);
/**
 * An event: the SDK stamps an exception with the real time it was recorded, and its stack differs
 * below the error's own frame from run to run, so an exception keeps its type, message and first
 * line of stack.
 */
const eventShape = (event: ReadableSpan['events'][number]): SpanShape['events'][number] => {
  const attributes: Record<string, unknown> = { ...(event.attributes ?? {}) };
  if (event.name !== 'exception') return { name: event.name, attributes, atMs: ms(event.time) };
  attributes['exception.stacktrace'] = String(attributes['exception.stacktrace']).split('\n')[0];
  return { name: event.name, attributes, atMs: 0 };
};
const label = (span: ReadableSpan): string => `${span.name} ${String(span.attributes['task.id'])} #${String(span.attributes['task.attempt'])}`;

/**
 * The spans of a run in a comparable form, sorted. `parents` names the spans outside the run
 * (the app's) by span id.
 *
 * @example
 * spanShapes(exporter.getFinishedSpans(), new Map([[request.spanContext().spanId, 'request']]));
 */
export function spanShapes(spans: readonly ReadableSpan[], parents: ReadonlyMap<string, string>): SpanShape[] {
  const bySpanId = new Map(spans.map((span) => [span.spanContext().spanId, label(span)]));
  return spans
    .map((span) => ({
      name: span.name,
      attributes: { ...span.attributes },
      status: span.status.message === undefined ? { code: span.status.code } : { code: span.status.code, message: span.status.message },
      events: span.events.map(eventShape),
      links: span.links.map((link) => bySpanId.get(link.context.spanId) ?? `unknown ${link.context.spanId}`),
      parent: span.parentSpanContext === undefined ? undefined : (parents.get(span.parentSpanContext.spanId) ?? bySpanId.get(span.parentSpanContext.spanId) ?? 'unknown'),
      startMs: ms(span.startTime),
      endMs: ms(span.endTime),
    }))
    .sort((a, b) => (JSON.stringify([a.name, a.attributes['task.id'], a.attributes['task.attempt']]) < JSON.stringify([b.name, b.attributes['task.id'], b.attributes['task.attempt']]) ? -1 : 1));
}

/** The points of collected metrics in a comparable form (histograms by count, sum and buckets), sorted. */
export function pointShapes(metrics: readonly MetricData[]): PointShape[] {
  return metrics
    .flatMap((data) =>
      data.dataPoints.map((point) => ({
        metric: data.descriptor.name,
        unit: data.descriptor.unit,
        attributes: { ...point.attributes },
        value: point.value,
      })),
    )
    .sort((a, b) => (JSON.stringify([a.metric, a.attributes]) < JSON.stringify([b.metric, b.attributes]) ? -1 : 1));
}
