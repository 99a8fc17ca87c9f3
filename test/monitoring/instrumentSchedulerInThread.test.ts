import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { context, ROOT_CONTEXT, trace } from '@opentelemetry/api';
import { MeterProvider } from '@opentelemetry/sdk-metrics';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { afterEach, describe, expect, it } from 'vitest';
import { createScheduler } from '../../src/core/createScheduler.js';
import { instrumentScheduler } from '../../src/monitoring/instrumentScheduler.js';
import { instrumentSchedulerInThread, type ThreadInstrumentOptions } from '../../src/monitoring/instrumentSchedulerInThread.js';
import { MetricNames } from '../../src/monitoring/MetricNames.js';
import { MonitoringOptionsError } from '../../src/monitoring/MonitoringOptionsError.js';
import { TelemetryThreadError } from '../../src/monitoring/TelemetryThreadError.js';
import type { Scheduler } from '../../src/core/scheduler.js';
import type { TaskSpec } from '../../src/types.js';
import { manualWork, simulatedScheduler } from '../support/harness.js';
import { PullReader, useContextManager } from '../support/otelTesting.js';
import { monitoredDag } from '../support/monitoredDag.js';
import { pointShapes, spanShapes, type PointShape, type SpanShape } from '../support/telemetrySnapshot.js';

const fixture = (name: string): string => fileURLToPath(new URL(`../fixtures/telemetry/${name}`, import.meta.url));
const SETUP = fixture('memorySetup.ts');
/** A clock far from 0: the SDK reads a small time as one relative to its thread's start. */
const START = Date.UTC(2026, 10, 30, 12);

useContextManager();

let folder: string;
afterEach(() => {
  if (folder !== undefined) rmSync(folder, { recursive: true, force: true });
});
function outFile(): string {
  folder = mkdtempSync(join(tmpdir(), 'xeno-telemetry-'));
  return join(folder, 'recorded.json');
}
const recorded = (file: string): { spans: SpanShape[]; points: PointShape[] } => JSON.parse(readFileSync(file, 'utf8'));

/** The instrumentScheduler test's DAG: a retry, a failure cascade, a cancel, all under an app's request span. */
async function runDag(scheduler: Scheduler, advance: (ms: number) => Promise<void>, schedule: (specs: TaskSpec[]) => void): Promise<void> {
  const slow = manualWork();
  schedule(monitoredDag(slow.run));
  await advance(0);
  await advance(100);
  expect(scheduler.cancelTask('g', 'no longer needed')).toBe(true);
  await scheduler.onIdle();
}

const options = { maxWorkers: 3, defaultRetry: { attempts: 1 }, resources: { cpu: 4 } };

describe('instrumentSchedulerInThread', () => {
  /**
   * Runs `scenario` twice on a simulated clock, traced by instrumentScheduler in this thread and by
   * instrumentSchedulerInThread, under an app's `request` span; returns both recordings.
   */
  async function bothWays(scenario: (scheduler: Scheduler, advance: (ms: number) => Promise<void>, schedule: (specs: TaskSpec[]) => void) => Promise<void>) {
    const exporter = new InMemorySpanExporter();
    const tracerProvider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
    const reader = new PullReader();
    const meterProvider = new MeterProvider({ readers: [reader] });
    const inline = simulatedScheduler(options, START);
    instrumentScheduler(inline.scheduler, { tracerProvider, meterProvider, policy: 'priority', now: () => inline.clock.now(), waitSpans: true });
    const request = tracerProvider.getTracer('app').startSpan('request');
    await scenario(inline.scheduler, inline.advance, (specs) => context.with(trace.setSpan(ROOT_CONTEXT, request), () => inline.scheduler.scheduleTasks(specs)));
    const expected = { spans: spanShapes(exporter.getFinishedSpans(), new Map([[request.spanContext().spanId, 'request']])), points: pointShapes((await reader.collect()).resourceMetrics.scopeMetrics.flatMap((scope) => scope.metrics)) };
    await inline.scheduler.stop();

    const file = outFile();
    const threaded = simulatedScheduler(options, START);
    const appRequest = tracerProvider.getTracer('app').startSpan('request');
    const telemetry = await instrumentSchedulerInThread(threaded.scheduler, {
      setup: SETUP,
      setupData: { outFile: file, parents: [[appRequest.spanContext().spanId, 'request']] },
      policy: 'priority',
      now: () => threaded.clock.now(),
      waitSpans: true,
    });
    await scenario(threaded.scheduler, threaded.advance, (specs) => context.with(trace.setSpan(ROOT_CONTEXT, appRequest), () => threaded.scheduler.scheduleTasks(specs)));
    await telemetry.flush();
    expect(telemetry.backlog).toBe(0);
    const got = recorded(file);
    await telemetry.stop();
    expect(existsSync(`${file}.shutdown`)).toBe(true);
    await threaded.scheduler.stop();
    return { expected, got };
  }

  it('records in its thread the same spans, links, parents, events, times and metrics as instrumentScheduler records in the scheduler\'s', async () => {
    const { expected, got } = await bothWays(runDag);
    expect(expected.spans).toHaveLength(15);
    expect(got.spans).toEqual(expected.spans);
    // Histograms, counters and gauges alike (the gauges from the stats posted with the last batch).
    expect(expected.points.map((point) => point.metric)).toContain(MetricNames.queueLength);
    expect(got.points).toEqual(expected.points);
  });

  it('records odd names and odd errors as instrumentScheduler does: any string, non-string fields, no stack, codes the SDK prefers or skips', async () => {
    const odd = (fields: Record<string, unknown>): Error => Object.assign(new Error('odd'), fields);
    const noStack = new Error('no stack');
    delete noStack.stack;
    const { expected, got } = await bothWays(async (scheduler, advance, schedule) => {
      schedule([
        { id: 'lone \ud800 surrogate', name: 'ünïcödé 🚀 name', type: 'τύπος', run: () => 1 },
        { id: 'x'.repeat(70_000), type: 'long', run: () => 2 },
        { id: 'numeric name', type: 'odd', run: () => Promise.reject(odd({ name: 5, message: 42 })) },
        { id: 'no stack', type: 'odd', run: () => Promise.reject(noStack) },
        { id: 'code 0', type: 'odd', run: () => Promise.reject(odd({ code: 0 })) },
        { id: 'code true', type: 'odd', run: () => Promise.reject(odd({ code: true })) },
        { id: 'code bigint', type: 'odd', run: () => Promise.reject(odd({ code: 10n })) },
        { id: 'code string', type: 'odd', run: () => Promise.reject(odd({ code: 'ECONNRESET' })) },
        { id: 'thrown string', type: 'odd', run: () => Promise.reject('just a string') },
        { id: 'cancelled', type: 'odd', dependencies: ['lone \ud800 surrogate'], run: () => 3 },
      ]);
      scheduler.cancelTask('cancelled', 'raison d’être ✂');
      await advance(0);
      await scheduler.onIdle();
    });
    expect(expected.spans.length).toBeGreaterThanOrEqual(10);
    // An error whose name and message are numbers: the thread gets them as strings (and the
    // scheduler's thread survives it, as it did not before); everything else is the same.
    const isNumeric = (span: SpanShape): boolean => span.attributes['task.id'] === 'numeric name';
    expect(got.spans.filter((span) => !isNumeric(span))).toEqual(expected.spans.filter((span) => !isNumeric(span)));
    expect(got.spans.find(isNumeric)?.events.find((event) => event.name === 'exception')?.attributes).toMatchObject({ 'exception.type': '5', 'exception.message': '42' });
    expect(got.points).toEqual(expected.points);
  });

  it('keeps up with a thousand tasks posted in batches: every span recorded, backlog 0 after flush, and stop() removes its listeners', async () => {
    const file = outFile();
    const scheduler = createScheduler({ maxWorkers: 8 });
    const telemetry = await instrumentSchedulerInThread(scheduler, { setup: SETUP, setupData: { outFile: file }, traces: true, metrics: true });
    scheduler.scheduleTasks(Array.from({ length: 1000 }, (_, index) => ({ id: `t${index}`, dependencies: index % 10 === 0 ? [] : [`t${index - (index % 10)}`], run: () => index })));
    await scheduler.onIdle();
    await telemetry.flush();
    const { spans, points } = recorded(file);
    expect(spans.filter((span) => span.name.startsWith('run '))).toHaveLength(1000);
    // Nine in ten link to the first task of their ten.
    expect(spans.filter((span) => span.links.length === 1)).toHaveLength(900);
    expect(points.find((point) => point.metric === MetricNames.tasksFinished && point.attributes['task.status'] === 'completed')?.value).toBe(1000);
    expect(telemetry.dropped).toBe(0);
    await telemetry.stop();
    expect(scheduler.events.all.get('task:started') ?? []).toHaveLength(0);
    expect(scheduler.events.all.get('task:completed') ?? []).toHaveLength(0);
    // stop() again is the same promise; a flush after it says it cannot, at once.
    expect(telemetry.stop()).toBe(telemetry.stop());
    await expect(telemetry.flush()).rejects.toThrow('telemetry thread: cannot flush: the thread was stopped');
    await scheduler.stop();
  });

  it('drops task events, not memory, while the thread is maxBacklog events behind, says so once, and records again once it has caught up', async () => {
    const file = outFile();
    const scheduler = createScheduler({ maxWorkers: 8 });
    // Every span that ends blocks the thread 2 ms: far slower than no-op tasks.
    const telemetry = await instrumentSchedulerInThread(scheduler, { setup: SETUP, setupData: { outFile: file, spanEndMs: 2 }, maxBacklog: 50 });
    const warnings: string[] = [];
    const onWarning = (warning: Error): void => void warnings.push(warning.message);
    process.on('warning', onWarning);
    let mostBehind = 0;
    scheduler.events.on('task:completed', () => {
      mostBehind = Math.max(mostBehind, telemetry.backlog);
    });
    try {
      scheduler.scheduleTasks(Array.from({ length: 400 }, (_, index) => ({ id: `t${index}`, run: () => index })));
      await scheduler.onIdle();
      // The bound, plus the ends of attempts whose start went (at most one a worker): never dropped.
      expect(mostBehind).toBeLessThanOrEqual(50 + 8);
      expect(telemetry.dropped).toBeGreaterThan(0);
      await telemetry.flush();
      const first = recorded(file).spans.filter((span) => span.name.startsWith('run '));
      // A start and an end a task: what was dropped is what is missing.
      expect(first.length).toBeGreaterThan(0);
      expect(first.length).toBeLessThan(400);
      expect(telemetry.backlog).toBe(0);
      // Caught up: the next tasks are recorded, each of them.
      const droppedBefore = telemetry.dropped;
      scheduler.scheduleTasks(Array.from({ length: 10 }, (_, index) => ({ id: `later${index}`, run: () => index })));
      await scheduler.onIdle();
      await telemetry.flush();
      expect(recorded(file).spans.filter((span) => String(span.attributes['task.id']).startsWith('later'))).toHaveLength(10);
      expect(telemetry.dropped).toBe(droppedBefore);
      const said = warnings.filter((message) => message.includes('maxBacklog'));
      expect(said).toHaveLength(1);
      expect(said[0]).toMatch(/^instrumentSchedulerInThread: the telemetry thread is 5\d task events behind \(maxBacklog 50\); new events are dropped until it is back to 25 \(the instrumentation's `dropped` counts them\)$/);
    } finally {
      process.off('warning', onWarning);
      await telemetry.stop();
      await scheduler.stop();
    }
  });

  it.each<[string, Partial<ThreadInstrumentOptions>, RegExp]>([
    ['no setup', { setup: '' }, /option "setup": expected a module path or file: URL, received "" \(string\)/],
    ['a setup on the web', { setup: 'https://example.com/telemetry.js' }, /option "setup": expected a module path or file: URL, received "https:\/\/example.com\/telemetry.js"/],
    ['a provider of this thread', { setup: SETUP, tracerProvider: {} } as never, /option "tracerProvider": expected no provider: an SDK lives in one thread/],
    ['a misspelt option', { setup: SETUP, statsInterval: 5 } as never, /option "statsInterval": expected one of the options .* \(did you mean statsIntervalMs\?\), received an unknown option/],
    ['a switch that is not a boolean', { setup: SETUP, traces: 'no' } as never, /option "traces": expected true or false, received "no" \(string\)/],
    ['a stats interval longer than a timer holds', { setup: SETUP, statsIntervalMs: 2 ** 40 }, /option "statsIntervalMs": expected a number of ms from 10 to 2147483647, received 1099511627776 \(number\)/],
    ['a missing module', { setup: '/nonexistent/telemetry.js' }, /option "setup": expected a module whose default export returns .*\/nonexistent\/telemetry\.js: .*Cannot find module/],
    ['a bad stats interval', { setup: SETUP, statsIntervalMs: 0 }, /option "statsIntervalMs": expected a number of ms from 10 to 2147483647, received 0 \(number\)/],
    ['setupData that cannot cross threads', { setup: SETUP, setupData: { outFile: 'x', hook: () => 1 } }, /option "setupData": expected a structured-cloneable value/],
    ['a bad linkLimit', { setup: SETUP, linkLimit: -1 }, /option "linkLimit": expected a whole number >= 0, received -1/],
    ['a backlog of no events', { setup: SETUP, maxBacklog: 0 }, /option "maxBacklog": expected a whole number of events >= 1, or Infinity, received 0 \(number\)/],
    ['a fractional backlog', { setup: SETUP, maxBacklog: 2.5 }, /option "maxBacklog": expected a whole number of events >= 1, or Infinity, received 2.5 \(number\)/],
    ['a backlog of null', { setup: SETUP, maxBacklog: null } as never, /option "maxBacklog": expected a whole number of events >= 1, or Infinity, received null/],
    ['a backlog that is not a number', { setup: SETUP, maxBacklog: '100' } as never, /option "maxBacklog": expected a whole number of events >= 1, or Infinity, received "100" \(string\)/],
  ])('refuses %s, naming the option, and leaves the scheduler without a listener', async (_, given, message) => {
    const scheduler = createScheduler();
    const error = await instrumentSchedulerInThread(scheduler, given as ThreadInstrumentOptions).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(MonitoringOptionsError);
    expect((error as Error).message).toMatch(message);
    expect([...scheduler.events.all.values()].flat()).toHaveLength(0);
    await scheduler.stop();
  });

  it('refuses a setup module whose default export throws or returns nothing, with what it said', async () => {
    folder = mkdtempSync(join(tmpdir(), 'xeno-telemetry-'));
    const throwing = join(folder, 'throwing.mjs');
    writeFileSync(throwing, "export default function setup() { throw new Error('no collector configured'); }\n");
    const empty = join(folder, 'empty.mjs');
    writeFileSync(empty, 'export default function setup() {}\n');
    const noDefault = join(folder, 'noDefault.mjs');
    writeFileSync(noDefault, 'export const setup = () => ({});\n');
    const scheduler = createScheduler();
    await expect(instrumentSchedulerInThread(scheduler, { setup: throwing })).rejects.toThrow(/throwing\.mjs: Error: no collector configured/);
    await expect(instrumentSchedulerInThread(scheduler, { setup: empty })).rejects.toThrow(/empty\.mjs: TypeError: the default export returned undefined/);
    await expect(instrumentSchedulerInThread(scheduler, { setup: noDefault })).rejects.toThrow(/noDefault\.mjs: TypeError: export "default" .*expected a function, found no such export/);
    expect([...scheduler.events.all.values()].flat()).toHaveLength(0);
    await scheduler.stop();
  });

  it('when the SDK throws in the thread: flush() rejects with a TelemetryThreadError, listeners go, a warning tells, and the scheduler runs on', async () => {
    const file = outFile();
    const scheduler = createScheduler();
    const warnings: Error[] = [];
    const onWarning = (warning: Error): void => void warnings.push(warning);
    process.on('warning', onWarning);
    try {
      const telemetry = await instrumentSchedulerInThread(scheduler, { setup: SETUP, setupData: { outFile: file, failOnSpanEnd: true } });
      scheduler.scheduleTask({ id: 'first', run: () => 1 });
      await scheduler.onIdle();
      const error = await telemetry.flush().catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(TelemetryThreadError);
      expect((error as Error).message).toMatch(/telemetry thread: it failed and records nothing more: exporter exploded/);
      expect(scheduler.events.all.get('task:started') ?? []).toHaveLength(0);
      scheduler.scheduleTask({ id: 'after', run: () => 2 });
      await expect(scheduler.waitForTask('after')).resolves.toMatchObject({ status: 'completed', result: 2 });
      await expect(telemetry.stop()).rejects.toBe(error);
      await new Promise((resolve) => setImmediate(resolve));
      expect(warnings.filter((warning) => warning instanceof TelemetryThreadError)).toHaveLength(1);
    } finally {
      process.off('warning', onWarning);
    }
    await scheduler.stop();
  });

  it.each(['idle', 'flush'])('does not keep the process alive (%s; an awaited flush does until it is answered), and runs none of its preloads', (mode) => {
    const file = outFile();
    const child = spawnSync(process.execPath, ['--import', 'tsx', '--import', fixture('threadPreload.mjs'), fixture('exitWithoutStop.ts'), SETUP, file, mode], { encoding: 'utf8', timeout: 30_000 });
    expect(child.error).toBeUndefined();
    // Its pipes to us, and the immediate that posts the last batch, are all there is.
    expect(child.stdout).toMatch(new RegExp(`^${mode}: ((PipeWrap|Immediate|nothing),?)+ keeps it alive\\n$`));
    expect(child.status).toBe(0);
    if (mode === 'flush') expect(recorded(file).spans.map((span) => span.name)).toEqual(['run generic']);
  });

  it('posts the stats with every flush, so the gauges are current even when no event went since', async () => {
    const file = outFile();
    const scheduler = createScheduler();
    const telemetry = await instrumentSchedulerInThread(scheduler, { setup: SETUP, setupData: { outFile: file } });
    scheduler.pause();
    scheduler.scheduleTasks(Array.from({ length: 5 }, (_, index) => ({ id: `t${index}`, run: () => index })));
    await telemetry.flush();
    const gauge = (name: string): unknown => recorded(file).points.find((point) => point.metric === name)?.value;
    expect(gauge(MetricNames.queueLength)).toBe(5);
    expect(gauge(MetricNames.tasksPending)).toBe(5);
    await telemetry.stop();
    await scheduler.stop();
  });

  it('gives up a setup, a flush or a stop that takes longer than timeoutMs, saying so; a stop given up ends the thread anyway', async () => {
    const scheduler = createScheduler();
    await expect(instrumentSchedulerInThread(scheduler, { setup: fixture('hangingSetup.mjs'), timeoutMs: 300 })).rejects.toThrow(/option "setup": .*hangingSetup\.mjs: its setup did not settle within 300 ms \(option timeoutMs\)/);
    expect([...scheduler.events.all.values()].flat()).toHaveLength(0);
    const telemetry = await instrumentSchedulerInThread(scheduler, { setup: SETUP, setupData: { outFile: outFile(), hangShutdown: true }, timeoutMs: 2000 });
    await expect(telemetry.stop()).rejects.toThrow('telemetry thread: stop did not finish within 2000 ms (option timeoutMs)');
    expect([...scheduler.events.all.values()].flat()).toHaveLength(0);
    await scheduler.stop();
  });

  it('listens to scheduling only for spans, and starts no thread when neither spans nor metrics are wanted', async () => {
    const scheduler = createScheduler();
    const metricsOnly = await instrumentSchedulerInThread(scheduler, { setup: SETUP, setupData: { outFile: outFile() }, traces: false });
    expect(scheduler.events.all.get('task:scheduled') ?? []).toHaveLength(0);
    expect(scheduler.events.all.get('task:started')).toHaveLength(1);
    await metricsOnly.stop();
    const nothing = await instrumentSchedulerInThread(scheduler, { setup: '/nonexistent/setup.js', traces: false, metrics: false });
    expect([...scheduler.events.all.values()].flat()).toHaveLength(0);
    await nothing.flush();
    await nothing.stop();
    await scheduler.stop();
  });
});
