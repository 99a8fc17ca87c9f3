import { describe, expect, it } from 'vitest';
import { JobAbort } from '../../src/distributed/JobAbort.js';
import { runAttemptJob, type JobRunner } from '../../src/distributed/runAttemptJob.js';
import type { AttemptJobData } from '../../src/distributed/AttemptJob.js';

const data: AttemptJobData = { taskId: 't', attempt: 1, type: 'work', config: {}, run: undefined, task: { id: 't' } };

describe('JobAbort', () => {
  it('aborts a signal already read, and gives one read after the cancel already aborted, with the first reason', () => {
    const early = new JobAbort();
    early.abort(new Error('first'));
    early.abort(new Error('second'));
    expect(early.signal.aborted).toBe(true);
    expect((early.signal.reason as Error).message).toBe('first');

    const late = new JobAbort();
    const { signal } = late;
    expect(signal.aborted).toBe(false);
    late.abort(new Error('cancelled'));
    expect(signal.aborted).toBe(true);
    expect(late.signal).toBe(signal);
  });

  it('reaches the handler through runAttemptJob: a job cancelled before it ran fails without running, a running one sees its signal abort', async () => {
    let runs = 0;
    let release: () => void = () => undefined;
    const handlers = {
      work: ({ signal }: { signal: AbortSignal }) => {
        runs++;
        return new Promise((resolve, reject) => {
          release = () => resolve('done');
          signal.addEventListener('abort', () => reject(signal.reason as Error), { once: true });
        });
      },
    };
    const runner: JobRunner = { workerId: 'w', node: 'a', handlers, descriptors: undefined, made: new Map() };

    const cancelled = new JobAbort();
    cancelled.abort(new Error('cancelled before it started'));
    const before = await runAttemptJob(runner, data, cancelled);
    expect(before).toMatchObject({ ok: false, error: { message: 'cancelled before it started' } });
    expect(runs).toBe(0);

    const abort = new JobAbort();
    const running = runAttemptJob(runner, data, abort);
    await Promise.resolve();
    abort.abort(new Error('cancelled while running'));
    expect(await running).toMatchObject({ ok: false, error: { message: 'cancelled while running' } });
    expect(runs).toBe(1);
    release();
  });
});
