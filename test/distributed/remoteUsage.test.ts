import { describe, expect, it } from 'vitest';
import type { AttemptJobData } from '../../src/distributed/AttemptJob.js';
import { JobAbort } from '../../src/distributed/JobAbort.js';
import { runAttemptJob, type JobRunner } from '../../src/distributed/runAttemptJob.js';
import { toOutcome } from '../../src/distributed/toOutcome.js';

describe('usage measured on a distributed worker', () => {
  it('travels with the job\'s outcome to the coordinator: a command run by a worker reports its process group\'s peak memory and CPU time', async () => {
    const runner: JobRunner = { workerId: 'w', node: 'a', handlers: {}, descriptors: {}, made: new Map() };
    const data: AttemptJobData = {
      taskId: 't',
      attempt: 1,
      type: 'hold',
      config: {},
      run: { kind: 'command', command: `python3 -c "b = b'x' * (80 * 2 ** 20); import time; time.sleep(0.3)"` },
      task: { id: 't', name: 't', type: 'hold', resources: {} },
    };
    const result = await runAttemptJob(runner, data, new JobAbort());
    expect(result).toMatchObject({ ok: true, usage: { measuredBy: 'proc' } });
    // Through Redis the result is JSON: what the coordinator's executor hands the scheduler.
    const outcome = toOutcome({ returnvalue: JSON.stringify(result) }, 't', 1, 'a');
    expect(outcome.ok).toBe(true);
    expect(outcome.usage!.peakRssBytes! / 2 ** 20).toBeGreaterThanOrEqual(80);
  });
});
