import { context, ROOT_CONTEXT, SpanStatusCode, trace } from '@opentelemetry/api';
import { DataPointType, MeterProvider, type DataPoint, type Histogram, type MetricData } from '@opentelemetry/sdk-metrics';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createScheduler } from '../../src/core/createScheduler.js';
import { AttributeNames } from '../../src/monitoring/AttributeNames.js';
import { instrumentScheduler } from '../../src/monitoring/instrumentScheduler.js';
import { MetricNames } from '../../src/monitoring/MetricNames.js';
import { MonitoringOptionsError } from '../../src/monitoring/MonitoringOptionsError.js';
import type { Scheduler } from '../../src/core/scheduler.js';
import type { TaskSpec } from '../../src/types.js';
import { manualWork, simulatedScheduler } from '../support/harness.js';
import { monitoredDag } from '../support/monitoredDag.js';
import { PullReader, useContextManager } from '../support/otelTesting.js';

useContextManager();

function sdk() {
  const exporter = new InMemorySpanExporter();
  const tracerProvider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
  const reader = new PullReader();
  const meterProvider = new MeterProvider({ readers: [reader] });
  const collect = async (): Promise<MetricData[]> => {
    const { resourceMetrics } = await reader.collect();
    return resourceMetrics.scopeMetrics.flatMap((scope) => scope.metrics);
  };
  return { exporter, tracerProvider, meterProvider, collect };
}

const metric = (all: MetricData[], name: string): MetricData => {
  const found = all.find((data) => data.descriptor.name === name);
  if (found === undefined) throw new Error(`no metric ${name} in ${all.map((data) => data.descriptor.name).join(', ')}`);
  return found;
};
const points = (data: MetricData, attributes: Record<string, unknown>): DataPoint<unknown>[] =>
  (data.dataPoints as DataPoint<unknown>[]).filter((p) => Object.entries(attributes).every(([key, value]) => p.attributes[key] === value));
/** The value of the one point with these attributes (among others). */
const valueOf = (data: MetricData, attributes: Record<string, unknown>): unknown => {
  const found = points(data, attributes);
  expect(found, `one point of ${data.descriptor.name} with ${JSON.stringify(attributes)}`).toHaveLength(1);
  return found[0]?.value;
};
/** Observations of a histogram summed over every point with these attributes (among others). */
const countOf = (data: MetricData, attributes: Record<string, unknown>): number =>
  points(data, attributes).reduce((sum, p) => sum + (p.value as Histogram).count, 0);

const spanOf = (spans: readonly ReadableSpan[], kind: 'run' | 'wait', id: string, attempt?: number): ReadableSpan => {
  const found = spans.filter(
    (span) => span.name.startsWith(`${kind} `) && span.attributes[AttributeNames.taskId] === id && (attempt === undefined || span.attributes[AttributeNames.taskAttempt] === attempt),
  );
  expect(found, `one ${kind} span of ${id}${attempt === undefined ? '' : ` attempt ${attempt}`}`).toHaveLength(1);
  return found[0] as ReadableSpan;
};
const msOf = ([seconds, nanos]: readonly [number, number]): number => seconds * 1000 + nanos / 1e6;

describe('instrumentScheduler', () => {
  it('traces a small DAG with a retry, a failure cascade and a cancel: spans, statuses, waits, links and parent', async () => {
    const { exporter, tracerProvider, meterProvider, collect } = sdk();
    const { scheduler, clock, advance } = simulatedScheduler({ maxWorkers: 3, defaultRetry: { attempts: 1 }, resources: { cpu: 4 } });
    instrumentScheduler(scheduler, { tracerProvider, meterProvider, policy: 'priority', now: () => clock.now(), waitSpans: true });
    const slow = manualWork();
    const specs = monitoredDag(slow.run);
    const request = tracerProvider.getTracer('app').startSpan('request');
    context.with(trace.setSpan(ROOT_CONTEXT, request), () => scheduler.scheduleTasks(specs));
    request.end();
    await advance(0);
    await advance(100);
    expect(scheduler.cancelTask('g', 'no longer needed')).toBe(true);
    await scheduler.onIdle();

    const spans = exporter.getFinishedSpans();
    // Every span of the run hangs under the request that scheduled the tasks.
    const ours = spans.filter((span) => span !== spans.find((s) => s.name === 'request'));
    expect(ours).toHaveLength(6 + 6 + 3);
    for (const span of ours) expect(span.parentSpanContext?.spanId).toBe(request.spanContext().spanId);

    const a = spanOf(spans, 'run', 'a');
    expect(a.attributes).toMatchObject({ 'task.id': 'a', 'task.name': 'a', 'task.type': 'fetch', 'task.priority': 3, 'task.attempt': 1, 'task.status': 'completed', 'scheduler.policy': 'priority' });
    expect(a.status.code).toBe(SpanStatusCode.OK);

    const b1 = spanOf(spans, 'run', 'b', 1);
    expect(b1.attributes[AttributeNames.taskStatus]).toBe('retrying');
    expect(b1.status).toEqual({ code: SpanStatusCode.ERROR, message: 'flaky' });
    expect(b1.events.map((event) => event.name)).toEqual(['wait', 'exception']);
    expect(b1.links.map((link) => link.context.spanId)).toEqual([a.spanContext().spanId]);
    const b2 = spanOf(spans, 'run', 'b', 2);
    expect(b2.attributes[AttributeNames.taskStatus]).toBe('completed');
    // The wait before the retry is the backoff: 100 ms of the scheduler's clock, as a span and as the run span's event.
    expect(msOf(spanOf(spans, 'wait', 'b', 2).duration)).toBe(100);
    const waited = b2.events.find((event) => event.name === 'wait');
    expect(waited?.attributes).toEqual({ 'task.wait.duration': 0.1, 'task.queue.duration': 0 });
    expect(msOf(b2.startTime) - msOf(waited?.time ?? [0, 0])).toBe(100);
    expect(spanOf(spans, 'run', 'c').links.map((link) => link.context.spanId)).toEqual([b2.spanContext().spanId]);

    const d = spanOf(spans, 'run', 'd');
    expect(d.status).toEqual({ code: SpanStatusCode.ERROR, message: 'broken' });
    expect(d.events.find((event) => event.name === 'exception')?.attributes?.['exception.message']).toBe('broken');
    // e and f never ran: their wait spans carry the cascade's failure and link upstream.
    const e = spanOf(spans, 'wait', 'e');
    expect(e.attributes[AttributeNames.taskStatus]).toBe('failed');
    expect(e.status.code).toBe(SpanStatusCode.ERROR);
    expect(e.status.message).toMatch(/"d"/);
    expect(e.links.map((link) => link.context.spanId)).toEqual([d.spanContext().spanId]);
    expect(spanOf(spans, 'wait', 'f').links.map((link) => link.context.spanId)).toEqual([e.spanContext().spanId]);
    expect(spans.some((span) => span.name.startsWith('run ') && ['e', 'f', 'h'].includes(span.attributes[AttributeNames.taskId] as string))).toBe(false);

    const g = spanOf(spans, 'run', 'g');
    expect(g.attributes).toMatchObject({ 'task.status': 'cancelled', 'task.cancel_reason': 'no longer needed' });
    expect(g.status.code).toBe(SpanStatusCode.UNSET);
    const h = spanOf(spans, 'wait', 'h');
    expect(h.attributes[AttributeNames.taskStatus]).toBe('cancelled');
    expect(h.links.map((link) => link.context.spanId)).toEqual([g.spanContext().spanId]);
    expect(msOf(g.duration)).toBe(100);

    const data = await collect();
    const finished = metric(data, MetricNames.tasksFinished);
    expect(valueOf(finished, { 'task.status': 'completed', 'scheduler.policy': 'priority' })).toBe(3);
    expect(valueOf(finished, { 'task.status': 'failed' })).toBe(3);
    expect(valueOf(finished, { 'task.status': 'cancelled' })).toBe(2);
    expect(valueOf(metric(data, MetricNames.taskRetries), {})).toBe(1);
    const run = metric(data, MetricNames.runDuration);
    expect(run.dataPointType).toBe(DataPointType.HISTOGRAM);
    expect(run.descriptor.unit).toBe('s');
    expect(countOf(run, { 'task.status': 'completed' })).toBe(3);
    expect(countOf(run, { 'task.status': 'retrying' })).toBe(1);
    expect(countOf(run, { 'task.status': 'failed' })).toBe(1);
    expect(countOf(run, { 'task.status': 'cancelled', 'task.type': 'train' })).toBe(1);
    expect((valueOf(run, { 'task.status': 'cancelled' }) as Histogram).sum).toBeCloseTo(0.1);
    const wait = metric(data, MetricNames.waitDuration);
    expect(countOf(wait, {})).toBe(6);
    expect(valueOf(metric(data, MetricNames.tasksRunning), {})).toBe(0);
    expect(valueOf(metric(data, MetricNames.tasksPending), {})).toBe(0);
    expect(valueOf(metric(data, MetricNames.queueLength), {})).toBe(0);
    expect(valueOf(metric(data, MetricNames.workersMax), {})).toBe(3);
    expect(valueOf(metric(data, MetricNames.poolCapacity), { 'resource.pool': 'cpu', 'scheduler.policy': 'priority' })).toBe(4);
    expect(valueOf(metric(data, MetricNames.poolUsed), { 'resource.pool': 'cpu' })).toBe(0);
    await scheduler.stop({ graceMs: 0 });
  });

  it('shows the wait as the run span\'s event only, unless waitSpans is set', async () => {
    const { exporter, tracerProvider } = sdk();
    const { scheduler, clock, advance } = simulatedScheduler({ maxWorkers: 1 });
    instrumentScheduler(scheduler, { tracerProvider, metrics: false, now: () => clock.now() });
    const work = manualWork();
    scheduler.scheduleTasks([{ id: 'first', run: work.run }, { id: 'second', run: () => 'done' }]);
    await advance(250);
    work.resolve('ok');
    await scheduler.onIdle();
    const spans = exporter.getFinishedSpans();
    expect(spans.map((span) => span.name)).toEqual(['run generic', 'run generic']);
    const second = spanOf(spans, 'run', 'second');
    expect(second.events[0]).toMatchObject({ name: 'wait', attributes: { 'task.wait.duration': 0.25, 'task.queue.duration': 0.25 } });
    await scheduler.stop();
  });

  it('reads queue length, running tasks and pool use from the scheduler whenever a reader collects', async () => {
    const { meterProvider, collect } = sdk();
    const { scheduler, advance } = simulatedScheduler({ maxWorkers: 1, resources: { cpu: 4, gpu: 1 } });
    instrumentScheduler(scheduler, { meterProvider, traces: false, node: 'node-7' });
    const work = manualWork();
    scheduler.scheduleTasks([
      { id: 'x', resources: { cpu: 3, gpu: 1 }, run: work.run },
      { id: 'y', run: work.run },
      { id: 'z', dependencies: ['x'], run: work.run },
    ]);
    await advance(0);
    const data = await collect();
    expect(valueOf(metric(data, MetricNames.tasksRunning), { 'scheduler.node': 'node-7' })).toBe(1);
    expect(valueOf(metric(data, MetricNames.tasksPending), {})).toBe(2);
    expect(valueOf(metric(data, MetricNames.queueLength), {})).toBe(1);
    expect(valueOf(metric(data, MetricNames.poolUsed), { 'resource.pool': 'cpu' })).toBe(3);
    expect(valueOf(metric(data, MetricNames.poolUsed), { 'resource.pool': 'gpu', 'scheduler.node': 'node-7' })).toBe(1);
    expect(valueOf(metric(data, MetricNames.tasksFinished), { 'task.status': 'completed' })).toBe(0);
    await scheduler.stop({ graceMs: 0 });
  });

  it('adds no listener unless asked, and stop() removes every listener it added', () => {
    const scheduler = createScheduler();
    expect(scheduler.events.all.size).toBe(0);
    const instrumentation = instrumentScheduler(scheduler);
    expect([...scheduler.events.all.keys()].sort()).toEqual(['task:cancelled', 'task:completed', 'task:failed', 'task:retrying', 'task:scheduled', 'task:started']);
    instrumentation.stop();
    expect([...scheduler.events.all.values()].every((handlers) => handlers.length === 0)).toBe(true);
    const metricsOnly = instrumentScheduler(scheduler, { traces: false });
    expect(scheduler.events.all.get('task:scheduled') ?? []).toHaveLength(0);
    metricsOnly.stop();
  });

  it.each([
    [{ policy: '' }, 'option "policy": expected a non-empty string, received ""'],
    [{ node: 7 }, 'option "node": expected a non-empty string, received 7'],
    [{ linkLimit: -1 }, 'option "linkLimit": expected a whole number >= 0, received -1'],
  ])('refuses bad options with the option, what was expected and what was found: %j', (options, message) => {
    expect(() => instrumentScheduler(createScheduler(), options as never)).toThrow(MonitoringOptionsError);
    expect(() => instrumentScheduler(createScheduler(), options as never)).toThrow(`instrumentScheduler: ${message}`);
  });

  it('refuses something that is not a scheduler', () => {
    expect(() => instrumentScheduler({} as Scheduler)).toThrow('instrumentScheduler: option "scheduler": expected a Scheduler from createScheduler, received');
  });

  it('keeps its counts equal to the run on random DAGs: one final span per task, one run span and run point per attempt, links to every dependency', async () => {
    const outcome = fc.constantFrom('ok', 'fail', 'flaky');
    const dag = fc.array(fc.record({ outcome, deps: fc.array(fc.nat(), { maxLength: 3 }) }), { minLength: 1, maxLength: 12 });
    await fc.assert(
      fc.asyncProperty(dag, fc.integer({ min: 1, max: 3 }), async (tasks, maxWorkers) => {
        const { exporter, tracerProvider, meterProvider, collect } = sdk();
        const scheduler = createScheduler({ maxWorkers, defaultRetry: { attempts: 2, backoffMs: 0 } });
        instrumentScheduler(scheduler, { tracerProvider, meterProvider });
        const specs: TaskSpec[] = tasks.map((task, index) => ({
          id: `t${index}`,
          dependencies: index === 0 ? [] : [...new Set(task.deps.map((dep) => `t${dep % index}`))],
          run: ({ attempt }) => {
            if (task.outcome === 'fail' || (task.outcome === 'flaky' && attempt === 1)) throw new Error(`t${index} attempt ${attempt}`);
          },
        }));
        scheduler.scheduleTasks(specs);
        await scheduler.onIdle();
        const records = scheduler.listTasks();
        const spans = exporter.getFinishedSpans();
        const runSpans = spans.filter((span) => span.name.startsWith('run '));
        expect(runSpans).toHaveLength(records.reduce((sum, record) => sum + record.attempts, 0));
        for (const record of records) {
          const ending = spans.filter((span) => span.attributes[AttributeNames.taskId] === record.id && ['completed', 'failed', 'cancelled'].includes(span.attributes[AttributeNames.taskStatus] as string));
          expect(ending.map((span) => span.attributes[AttributeNames.taskStatus])).toEqual([record.status]);
          for (const span of spans.filter((s) => s.attributes[AttributeNames.taskId] === record.id && s.name.startsWith('run '))) {
            expect(span.links).toHaveLength(record.dependencies.length);
          }
        }
        const data = await collect();
        const finished = metric(data, MetricNames.tasksFinished);
        for (const status of ['completed', 'failed', 'cancelled'] as const) {
          expect(valueOf(finished, { 'task.status': status })).toBe(records.filter((record) => record.status === status).length);
        }
        const run = metric(data, MetricNames.runDuration);
        expect(countOf(run, {})).toBe(runSpans.length);
        await scheduler.stop();
      }),
      { numRuns: 30 },
    );
  });
});
