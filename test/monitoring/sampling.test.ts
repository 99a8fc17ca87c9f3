import { context, trace } from '@opentelemetry/api';
import { MeterProvider, type Histogram, type MetricData } from '@opentelemetry/sdk-metrics';
import { AlwaysOnSampler, BasicTracerProvider, InMemorySpanExporter, ParentBasedSampler, SimpleSpanProcessor, TraceIdRatioBasedSampler } from '@opentelemetry/sdk-trace-base';
import { describe, expect, it } from 'vitest';
import { AttributeNames } from '../../src/monitoring/AttributeNames.js';
import { instrumentScheduler } from '../../src/monitoring/instrumentScheduler.js';
import { MetricNames } from '../../src/monitoring/MetricNames.js';
import { simulatedScheduler } from '../support/harness.js';
import { PullReader, useContextManager } from '../support/otelTesting.js';

useContextManager();

/** The SDK as docs/monitoring.md advises for high-rate workloads: root spans kept at `ratio`, children following their parent. */
function sampledSdk(ratio: number) {
  const exporter = new InMemorySpanExporter();
  const tracerProvider = new BasicTracerProvider({ sampler: new ParentBasedSampler({ root: new TraceIdRatioBasedSampler(ratio) }), spanProcessors: [new SimpleSpanProcessor(exporter)] });
  const reader = new PullReader();
  const meterProvider = new MeterProvider({ readers: [reader] });
  const metric = async (name: string): Promise<MetricData | undefined> => {
    const { resourceMetrics } = await reader.collect();
    return resourceMetrics.scopeMetrics.flatMap((scope) => scope.metrics).find((data) => data.descriptor.name === name);
  };
  return { exporter, tracerProvider, meterProvider, metric };
}

describe('instrumentScheduler with a ratio sampler', () => {
  it('at 10% records about one task in ten, while the metrics count every task', async () => {
    const { exporter, tracerProvider, meterProvider, metric } = sampledSdk(0.1);
    const { scheduler } = simulatedScheduler({ maxWorkers: 4 });
    const instrumentation = instrumentScheduler(scheduler, { tracerProvider, meterProvider });
    const total = 2000;
    scheduler.scheduleTasks(Array.from({ length: total }, (_, index) => ({ id: `t${index}`, dependencies: index % 10 === 0 ? [] : [`t${index - (index % 10)}`], run: () => index })));
    await scheduler.onIdle();
    // Binomial(2000, 0.1): mean 200, standard deviation 13.4; the bounds are 7 deviations away.
    const spans = exporter.getFinishedSpans();
    expect(spans.length).toBeGreaterThan(100);
    expect(spans.length).toBeLessThan(300);
    expect(spans.every((span) => span.name.startsWith('run '))).toBe(true);
    const runs = await metric(MetricNames.runDuration);
    const counted = (runs?.dataPoints ?? []).reduce((sum, point) => sum + (point.value as Histogram).count, 0);
    expect(counted).toBe(total);
    instrumentation.stop();
    await scheduler.stop();
  });

  it('records every task scheduled inside a sampled span, whatever the ratio, and no root task at ratio 0', async () => {
    const { exporter, tracerProvider } = sampledSdk(0);
    const request = new BasicTracerProvider({ sampler: new AlwaysOnSampler() }).getTracer('app').startSpan('POST /jobs');
    const { scheduler } = simulatedScheduler({ maxWorkers: 2 });
    const instrumentation = instrumentScheduler(scheduler, { tracerProvider, metrics: false });
    context.with(trace.setSpan(context.active(), request), () => scheduler.scheduleTasks([{ id: 'inside', run: () => 1 }]));
    scheduler.scheduleTasks([{ id: 'outside', run: () => 2 }]);
    await scheduler.onIdle();
    const spans = exporter.getFinishedSpans();
    expect(spans.map((span) => span.attributes[AttributeNames.taskId])).toEqual(['inside']);
    expect(spans[0]?.parentSpanContext?.spanId).toBe(request.spanContext().spanId);
    instrumentation.stop();
    await scheduler.stop();
  });
});
