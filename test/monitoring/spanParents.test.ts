import { context, ROOT_CONTEXT, trace } from '@opentelemetry/api';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { describe, expect, it } from 'vitest';
import { AttributeNames } from '../../src/monitoring/AttributeNames.js';
import { instrumentScheduler } from '../../src/monitoring/instrumentScheduler.js';
import { manualWork, simulatedScheduler } from '../support/harness.js';
import { useContextManager } from '../support/otelTesting.js';

// Parents need a context manager that propagates, as an app's SDK registers.
useContextManager();

describe('instrumentScheduler', () => {
  it('makes a task scheduled outside any span a root span, even when it starts inside an unrelated one', async () => {
    const exporter = new InMemorySpanExporter();
    const tracerProvider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
    const { scheduler, advance } = simulatedScheduler({ maxWorkers: 1 });
    instrumentScheduler(scheduler, { tracerProvider, metrics: false });
    const work = manualWork();
    scheduler.scheduleTasks([{ id: 'first', run: work.run }, { id: 'second', run: () => 'done' }]);
    await advance(0);
    // The app cancels `first` while handling a request: `second` takes the freed worker in that same call.
    const request = tracerProvider.getTracer('app').startSpan('request');
    context.with(trace.setSpan(ROOT_CONTEXT, request), () => scheduler.cancelTask('first'));
    request.end();
    await scheduler.onIdle();
    const second = exporter.getFinishedSpans().find((span) => span.attributes[AttributeNames.taskId] === 'second');
    expect(second?.name).toBe('run generic');
    expect(second?.parentSpanContext).toBeUndefined();
    await scheduler.stop({ graceMs: 0 });
  });

  it('gives a task scheduled under a span from a listener or from a task\'s run that span as parent, though its event comes after the call', async () => {
    const exporter = new InMemorySpanExporter();
    const tracerProvider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
    const { scheduler } = simulatedScheduler({ maxWorkers: 2 });
    instrumentScheduler(scheduler, { tracerProvider, metrics: false });
    const handler = tracerProvider.getTracer('app').startSpan('handler');
    const inRun = tracerProvider.getTracer('app').startSpan('in run');
    scheduler.events.on('task:completed', ({ task }) => {
      if (task.id === 'first') context.with(trace.setSpan(ROOT_CONTEXT, handler), () => scheduler.scheduleTask({ id: 'from listener', run: () => 2 }));
    });
    scheduler.scheduleTask({ id: 'first', run: () => 1 });
    scheduler.scheduleTask({
      id: 'spawner',
      run: () => {
        context.with(trace.setSpan(ROOT_CONTEXT, inRun), () => scheduler.scheduleTask({ id: 'from run', run: () => 3 }));
        return 'spawned';
      },
    });
    for (let i = 0; i < 5; i++) await scheduler.onIdle();
    const parentOf = (id: string): string | undefined => exporter.getFinishedSpans().find((span) => span.attributes[AttributeNames.taskId] === id)?.parentSpanContext?.spanId;
    expect(parentOf('from listener')).toBe(handler.spanContext().spanId);
    expect(parentOf('from run')).toBe(inRun.spanContext().spanId);
    expect(parentOf('first')).toBeUndefined();
    await scheduler.stop({ graceMs: 0 });
  });
});
