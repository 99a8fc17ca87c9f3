import { InMemorySpanExporter, BasicTracerProvider, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { describe, expect, it } from 'vitest';
import { createScheduler } from '../../src/core/createScheduler.js';
import type { Executor } from '../../src/core/Executor.js';
import { inlineExecutor } from '../../src/executors/inlineExecutor.js';
import { AttributeNames } from '../../src/monitoring/AttributeNames.js';
import { instrumentScheduler } from '../../src/monitoring/instrumentScheduler.js';

/** Places every attempt on a node, as a distributed executor does, then runs it here. */
function placingExecutor(nodeOf: (taskId: string, attempt: number) => string): Executor {
  const inline = inlineExecutor();
  return {
    name: 'placing',
    start(attempt, report) {
      attempt.placed(nodeOf(attempt.taskId, attempt.attempt));
      inline.start(attempt, report);
    },
    abort: (taskId, attempt, reason) => inline.abort(taskId, attempt, reason),
    get inFlight() {
      return inline.inFlight;
    },
    onSettled: () => inline.onSettled(),
  };
}

describe('instrumentScheduler', () => {
  it('puts the node each attempt ran on in a distributed run on its span', async () => {
    const exporter = new InMemorySpanExporter();
    const tracerProvider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
    const executor = placingExecutor((id, attempt) => `${id === 'a' ? 'gpu' : 'cpu'}-${attempt}`);
    const scheduler = createScheduler({ executor, defaultRetry: { attempts: 2, backoffMs: 0 } });
    instrumentScheduler(scheduler, { tracerProvider, metrics: false, node: 'coordinator' });
    scheduler.scheduleTasks([
      { id: 'a', run: () => 'a' },
      { id: 'b', dependencies: ['a'], run: ({ attempt }) => {
        if (attempt === 1) throw new Error('flaky');
        return 'b';
      } },
    ]);
    await scheduler.onIdle();
    const nodes = exporter.getFinishedSpans().map((span) => [span.attributes[AttributeNames.taskId], span.attributes[AttributeNames.taskAttempt], span.attributes[AttributeNames.node]]);
    expect(nodes).toEqual([['a', 1, 'gpu-1'], ['b', 1, 'cpu-1'], ['b', 2, 'cpu-2']]);
    await scheduler.stop();
  });
});
