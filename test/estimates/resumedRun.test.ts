import { describe, expect, it } from 'vitest';
import { createScheduler } from '../../src/core/createScheduler.js';
import { LearnedEstimates } from '../../src/estimates/LearnedEstimates.js';
import { memoryTaskStore } from '../../src/stores/memoryTaskStore.js';
import type { TaskRun, TaskSpec } from '../../src/types.js';
import { settle } from '../support/harness.js';

const never = (): Promise<never> => new Promise<never>(() => undefined);

/** Two tasks with what the history knows them by; `hold` runs first and holds the only worker. */
const specs = (run: TaskRun<any>): TaskSpec[] => [
  { id: 'hold', runs: 'z3 hold.smt', resources: { memory: 0.5 }, memoryLimit: 'enforce', run },
  { id: 'prove', runs: 'z3 goal.smt', run },
];

describe('a run resumed from its store, scheduled again with its specs', () => {
  it('plans its unfinished tasks with what the history learned, enforces their memory limits, and teaches the history their attempts', async () => {
    const learned = new LearnedEstimates();
    for (let i = 0; i < 5; i++) learned.observe({ name: 'prove', runs: 'z3 goal.smt', type: 'generic' }, { durationMs: 4000, peakRssBytes: undefined, cpuMs: undefined, measuredBy: 'none' }, 0);
    const store = memoryTaskStore();
    const options = { store, estimates: learned, maxWorkers: 1, resources: { memory: 1 }, defaultTimeoutMs: 0 };
    // The first scheduler dies with `hold` running and `prove` waiting (never stopped: a crash).
    const first = createScheduler(options);
    first.scheduleTasks(specs(never));
    await settle();
    const planned = first.getTask('prove').estimateMs;
    // About 4 s (the learned histogram's bucket), from the task's own runs.
    expect(Math.abs((planned as number) / 4000 - 1)).toBeLessThan(0.05);
    expect(first.getTask('prove').estimateSource).toBe('task');
    expect(first.getTask('hold').memoryLimitBytes).toBeGreaterThan(0);

    const runsBefore = learned.estimate({ name: 'prove', runs: 'z3 goal.smt', type: 'generic' }).runs;
    const second = createScheduler(options);
    second.scheduleTasks(specs(() => 'done'));
    expect(second.getTask('prove')).toMatchObject({ estimateMs: planned, estimateSource: 'task' });
    expect(second.getTask('hold').memoryLimitBytes).toBe(first.getTask('hold').memoryLimitBytes);
    await second.onIdle();
    expect(second.getTask('prove').status).toBe('completed');
    // Its attempt taught the history, as an attempt of a fresh run does.
    expect(learned.estimate({ name: 'prove', runs: 'z3 goal.smt', type: 'generic' }).runs).toBe(runsBefore + 1);
    await second.stop();
  });
});
