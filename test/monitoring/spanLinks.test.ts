import { BasicTracerProvider, InMemorySpanExporter, SamplingDecision, SimpleSpanProcessor, type Sampler } from '@opentelemetry/sdk-trace-base';
import { describe, expect, it } from 'vitest';
import { AttributeNames } from '../../src/monitoring/AttributeNames.js';
import { instrumentScheduler } from '../../src/monitoring/instrumentScheduler.js';
import { manualWork, simulatedScheduler } from '../support/harness.js';

describe('instrumentScheduler', () => {
  it('keeps a dependency\'s span for a dependent still waiting for it, however many tasks finish in between', async () => {
    const exporter = new InMemorySpanExporter();
    const tracerProvider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
    const { scheduler, advance } = simulatedScheduler({ maxWorkers: 4 });
    instrumentScheduler(scheduler, { tracerProvider, metrics: false, linkLimit: 1 });
    const slow = manualWork();
    scheduler.scheduleTasks([
      { id: 'a', run: () => 'a' },
      { id: 'slow', run: slow.run },
      { id: 'late', dependencies: ['a', 'slow'], run: () => 'late' },
      ...['b', 'c', 'd'].map((id) => ({ id, dependencies: ['a'], run: () => id })),
    ]);
    await advance(0);
    slow.resolve('done');
    await scheduler.onIdle();
    const spans = exporter.getFinishedSpans();
    const spanIdOf = (id: string): string | undefined => spans.find((span) => span.attributes[AttributeNames.taskId] === id)?.spanContext().spanId;
    const late = spans.find((span) => span.attributes[AttributeNames.taskId] === 'late');
    expect(late?.links.map((link) => link.context.spanId)).toEqual([spanIdOf('a'), spanIdOf('slow')]);
    await scheduler.stop();
  });

  it('still links a task scheduled after its dependency finished, while the dependency is among the last linkLimit', async () => {
    const exporter = new InMemorySpanExporter();
    const tracerProvider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
    const { scheduler, advance } = simulatedScheduler();
    instrumentScheduler(scheduler, { tracerProvider, metrics: false, linkLimit: 2 });
    scheduler.scheduleTasks([{ id: 'a', run: () => 'a' }, { id: 'b', run: () => 'b' }]);
    await advance(0);
    scheduler.scheduleTasks([{ id: 'c', dependencies: ['a'], run: () => 'c' }]);
    await scheduler.onIdle();
    const spans = exporter.getFinishedSpans();
    const c = spans.find((span) => span.attributes[AttributeNames.taskId] === 'c');
    expect(c?.links.map((link) => link.context.spanId)).toEqual([spans.find((span) => span.attributes[AttributeNames.taskId] === 'a')?.spanContext().spanId]);
    await scheduler.stop();
  });

  it('links only to spans that were recorded: a dependency sampled out leaves no link behind it, and costs no kept span', async () => {
    const exporter = new InMemorySpanExporter();
    // Records every span but those of task "a".
    const notA: Sampler = { shouldSample: (_context, _trace, _name, _kind, attributes) => ({ decision: attributes[AttributeNames.taskId] === 'a' ? SamplingDecision.NOT_RECORD : SamplingDecision.RECORD_AND_SAMPLED }) };
    const tracerProvider = new BasicTracerProvider({ sampler: notA, spanProcessors: [new SimpleSpanProcessor(exporter)] });
    const { scheduler } = simulatedScheduler({ maxWorkers: 2 });
    instrumentScheduler(scheduler, { tracerProvider, metrics: false });
    scheduler.scheduleTasks([
      { id: 'a', run: () => 'a' },
      { id: 'b', run: () => 'b' },
      { id: 'c', dependencies: ['a', 'b'], run: () => 'c' },
    ]);
    await scheduler.onIdle();
    const spans = exporter.getFinishedSpans();
    const spanIdOf = (id: string): string | undefined => spans.find((span) => span.attributes[AttributeNames.taskId] === id)?.spanContext().spanId;
    expect(spanIdOf('a')).toBeUndefined();
    const c = spans.find((span) => span.attributes[AttributeNames.taskId] === 'c');
    expect(c?.links.map((link) => link.context.spanId)).toEqual([spanIdOf('b')]);
    await scheduler.stop();
  });
});
