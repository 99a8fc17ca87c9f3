import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createScheduler } from '../../src/core/createScheduler.js';
import type { Executor } from '../../src/core/Executor.js';
import type { Scheduler } from '../../src/core/scheduler.js';
import { computeMetrics } from '../../src/simulate/computeMetrics.js';
import { generateDagWorkload } from '../../src/simulate/generateDagWorkload.js';
import { assertInvariants } from '../../src/simulate/invariants.js';
import { recordTrace, type TraceRecorder } from '../../src/simulate/recordTrace.js';
import { replayOf } from '../../src/simulate/replayOf.js';
import { simulate } from '../../src/simulate/simulate.js';
import { SimulationClock } from '../../src/simulate/SimulationClock.js';
import type { Trace } from '../../src/simulate/types.js';
import type { PolicyName } from '../../src/types.js';

const starts = (trace: Trace): [string, number, number | undefined][] =>
  trace.events.filter((e) => e.to === 'running').map((e) => [e.task, e.time, e.attempt]);

/** Runs tasks on a real scheduler under a simulated clock: `flaky` fails its first attempt. */
async function runWithRetry(): Promise<Trace> {
  const clock = new SimulationClock();
  const scheduler = createScheduler({ clock, maxWorkers: 2, policy: 'fifo', defaultTimeoutMs: 0, dependencyTimeoutMs: 0 });
  const recorder = recordTrace(scheduler, { now: () => clock.now(), policy: 'fifo' });
  const sleep = (ms: number) => new Promise<void>((resolve) => clock.setTimeout(() => resolve(), ms));
  scheduler.scheduleTasks([
    { id: 'flaky', retry: { attempts: 3, backoffMs: 500, backoffFactor: 2 }, run: async ({ attempt }) => {
      await sleep(attempt === 1 ? 300 : 700);
      if (attempt < 3) throw new Error(`attempt ${attempt}`);
    } },
    { id: 'steady', run: () => sleep(1000) },
    { id: 'after', dependencies: ['flaky', 'steady'], run: () => sleep(200) },
  ]);
  return traceToTheEnd(scheduler, clock, recorder);
}

/** Moves the clock from due time to due time until the scheduler is idle; returns the trace. */
async function traceToTheEnd(scheduler: Scheduler, clock: SimulationClock, recorder: TraceRecorder): Promise<Trace> {
  const idle = scheduler.onIdle();
  for (let settled = false; !settled; ) {
    await new Promise((resolve) => setImmediate(resolve));
    const next = clock.nextDueTime();
    if (next === undefined) settled = true;
    else clock.advanceTo(next);
  }
  await idle;
  await scheduler.stop();
  return recorder.stop();
}

describe('replayOf', () => {
  it('replays every attempt with its measured duration, its failure and the backoff before the retry', async () => {
    const real = await runWithRetry();
    const replay = replayOf({ replay: { trace: real } });
    expect(replay.tasks.find((t) => t.name === 'flaky')).toMatchObject({
      attempts: [
        { durationMs: 300, outcome: 'failed' },
        { durationMs: 700, outcome: 'failed' },
        { durationMs: 700, outcome: 'completed' },
      ],
      retry: { backoffMs: 500, backoffFactor: 2 },
    });
    const { trace, metrics } = await simulate(replay);
    // 300 + 500 + 700 + 1000 + 700, then `after`.
    expect(replay.real.makespanMs).toBe(3400);
    expect(metrics.makespanMs).toBe(replay.real.makespanMs);
    expect(starts(trace)).toEqual(starts(real));
    expect(trace.policy).toBe('fifo');
  });

  it('reproduces a recorded run exactly under its own policy, and keeps the invariants under the others', async () => {
    const policies: PolicyName[] = ['fifo', 'priority', 'shortest-first', 'critical-path', 'fair-share'];
    await fc.assert(
      fc.asyncProperty(fc.nat(), fc.constantFrom(...policies), fc.constantFrom(...policies), async (seed, own, other) => {
        const workload = generateDagWorkload({ tasks: 15, fanIn: 2, seed, resourceMix: { cpu: { share: 0.5, max: 2 } } });
        const setting = { maxWorkers: 3, resources: { cpu: 3 }, seed };
        const { trace: real } = await simulate(workload, { ...setting, policy: own });
        const replay = replayOf({ replay: { trace: real } });
        const again = await simulate(replay);
        expect(again.metrics.makespanMs).toBe(replay.real.makespanMs);
        expect(starts(again.trace)).toEqual(starts(real));
        const whatIf = await simulate(replay, { policy: other });
        assertInvariants(whatIf.trace);
        expect(whatIf.metrics.outcomes.completed).toBe(15);
      }),
      { numRuns: 20 },
    );
  });

  it('times an attempt from its dispatch, not from when its start event was emitted after another attempt\'s slow start', async () => {
    // A command's spawn blocks the thread: the second attempt's `task:started` is emitted after
    // the first spawn returns. Timed from that emission, `b` looked shorter than `a` and the
    // replay finished it first, a different schedule from the real run (CI saw +7%).
    const clock = new SimulationClock();
    const workMs: Record<string, number> = { a: 480, b: 470, x: 1000, y: 100 };
    const executor: Executor = {
      name: 'slow-spawn',
      inFlight: 0,
      start: ({ taskId, attempt }, report) => {
        clock.advanceTo(clock.now() + 20);
        clock.setTimeout(() => report(taskId, attempt, { ok: true, result: undefined }), workMs[taskId] ?? 0);
      },
      abort: () => {},
      onSettled: async () => {},
    };
    const scheduler = createScheduler({ clock, executor, maxWorkers: 2, policy: 'fifo', defaultTimeoutMs: 0, dependencyTimeoutMs: 0 });
    const recorder = recordTrace(scheduler, { now: () => clock.now(), policy: 'fifo' });
    scheduler.scheduleTasks([{ id: 'a' }, { id: 'b' }, { id: 'x', dependencies: ['a'] }, { id: 'y', dependencies: ['b'] }].map((t) => ({ ...t, run: () => undefined })));
    const real = await traceToTheEnd(scheduler, clock, recorder);
    expect(starts(real).map(([task, time]) => [task, time])).toEqual([['a', 0], ['b', 0], ['x', 500], ['y', 520]]);
    const again = await simulate(replayOf({ replay: { trace: real } }));
    expect(starts(again.trace)).toEqual(starts(real));
    expect(again.metrics.makespanMs).toBe(computeMetrics(real).makespanMs);
  });

  it('names the missing field when the report has no trace', () => {
    expect(() => replayOf({} as never)).toThrow(/expected a run report with `replay\.trace`.*found no `replay\.trace`/);
    expect(() => replayOf({ replay: { trace: { tasks: 3 } } } as never)).toThrow(/without `tasks` and `events` lists/);
  });

  it('refuses the trace of a resumed run, whose recovered tasks were never scheduled in it, naming one', async () => {
    const real = await runWithRetry();
    const resumed: Trace = { ...real, tasks: real.tasks.filter((task) => task.id !== 'steady') };
    expect(() => replayOf({ replay: { trace: resumed } })).toThrow(/events of task "steady", which it never saw scheduled: the report is of a resumed run \(tasks recovered from a store\), which cannot be replayed/);
  });
});
