import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { describe, expect, it } from 'vitest';
import { AttributeNames } from '../../src/monitoring/AttributeNames.js';
import { instrumentScheduler } from '../../src/monitoring/instrumentScheduler.js';
import { manualWork, simulatedScheduler } from '../support/harness.js';

describe('instrumentScheduler started mid-run', () => {
  it('makes up no span for an attempt that started before it: no wait span "completed" for a task that was already running', async () => {
    const exporter = new InMemorySpanExporter();
    const tracerProvider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
    const { scheduler, advance } = simulatedScheduler({ maxWorkers: 1 });
    const work = manualWork();
    scheduler.scheduleTasks([{ id: 'early', run: work.run }, { id: 'next', run: () => 'next' }]);
    await advance(0);
    instrumentScheduler(scheduler, { tracerProvider, metrics: false });
    work.resolve('early');
    await scheduler.onIdle();
    const spans = exporter.getFinishedSpans().map((span) => `${span.name} ${String(span.attributes[AttributeNames.taskId])}`);
    expect(spans).toEqual(['run generic next']);
    await scheduler.stop();
  });
});
