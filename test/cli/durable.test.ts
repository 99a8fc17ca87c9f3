import { readFileSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { useTempFolder } from '../support/tempStore.js';
import { killCliWhen } from './runCli.js';
import { runMain } from './runMain.js';

const temp = useTempFolder();

/**
 * A workload whose commands append their name to `log`; `slow` sleeps `slowSeconds` unless the
 * file `hurry` exists.
 */
function writeWorkload(name: string, log: string, options: { slowSeconds?: number; depth?: number; hurry?: string; retries?: number; slowMaxInterruptions?: number } = {}): string {
  const file = temp.path(name);
  writeFileSync(
    file,
    `config:
  scheduler:
    type: task
    task_scheduler:
      max_workers: 2
      retry_attempts: ${options.retries ?? 1}
tasks:
  first:
    command: echo first >> "${log}"
  second:
    dependencies: [first]
    config: { depth: ${options.depth ?? 2} }
    command: echo second >> "${log}"
  slow:
    dependencies: [first]
    command: test -e "${options.hurry ?? '/nonexistent'}" || sleep ${options.slowSeconds ?? 0}; echo slow >> "${log}"
${options.slowMaxInterruptions === undefined ? '' : `    max_interruptions: ${options.slowMaxInterruptions}\n`}`,
  );
  return file;
}

const logLines = (log: string): string[] => readFileSync(log, 'utf8').trim().split('\n');

/** Runs the workload with `--state` and SIGKILLs the CLI once its output matches `ready` (slow running, second done). */
async function killWhileSlowRuns(workload: string, state: string, ready = /started +slow[\s\S]*completed +second|completed +second[\s\S]*started +slow/): Promise<void> {
  await killCliWhen(['run', workload, '--state', state], (stdout) => ready.test(stdout));
}

describe('xeno-scheduler run --state', () => {
  it('journals a run; running it again runs nothing that completed, and says so', async () => {
    const log = temp.path('log.txt');
    const workload = writeWorkload('w.yaml', log);
    const state = temp.path('run.db');
    expect((await runMain(['run', workload, '--state', state, '-q'])).code).toBe(0);
    expect(logLines(log).sort()).toEqual(['first', 'second', 'slow']);

    const again = await runMain(['run', workload, '--state', state, '-q']);
    expect(again.code).toBe(0);
    expect(again.stdout).toContain(`resumed ${state}: 3 tasks had finished (3 completed, 0 failed, 0 cancelled; not run again), no attempt interrupted, 0 tasks waiting`);
    // Once, before the run: the summary does not say it again.
    expect(again.stdout.match(/^resumed /gm)).toHaveLength(1);
    // A finished run says so and how to run it again, not a table of what this process did not run.
    expect(again.stdout).toContain(`the run stored in ${state} is finished: 3 tasks (3 completed, 0 failed, 0 cancelled); nothing to run.\nTo run it again from the start, add --fresh (it discards the stored run).\n`);
    expect(again.stdout).not.toMatch(/^task +status/m);
    expect(logLines(log)).toHaveLength(3);

    // The second command ran nothing: it does not count as a run of the store.
    const status = await runMain(['status', state]);
    expect(status.code).toBe(0);
    expect(status.stdout).toContain(`${state}: 3 tasks: 3 completed, 0 failed, 0 cancelled, 0 running, 0 pending; nothing was running when it stopped; opened by 1 run`);
  });

  it('resumes a run killed mid-way: the running attempt counts as interrupted, not as a retry, and runs again at once; the rest never', async () => {
    const log = temp.path('log.txt');
    const hurry = temp.path('hurry');
    const workload = writeWorkload('w.yaml', log, { slowSeconds: 5, hurry });
    const state = temp.path('run.db');
    await killWhileSlowRuns(workload, state);

    const status = await runMain(['status', state]);
    expect(status.code).toBe(1);
    expect(status.stdout).toMatch(/^slow +running +1 +running attempt 1 when the run ended \(a crash or a kill\)$/m);
    expect(status.stdout).toContain('running when it stopped: slow (attempt 1)');

    writeFileSync(hurry, ''); // the same workload; the interrupted attempt now ends at once
    const resumed = await runMain(['run', workload, '--state', state]);
    expect(resumed.code).toBe(0);
    expect(resumed.stdout).toContain('1 attempt interrupted (slow): not counted as a retry');
    // Handed back, not failed: no retry is announced (nor waited for); its next attempt is numbered 2.
    expect(resumed.stdout).not.toMatch(/retrying +slow/);
    expect(resumed.stdout).toMatch(/^slow +completed +2 /m);
    expect(logLines(log).filter((line) => line !== 'slow')).toEqual(['first', 'second']);

    const after = await runMain(['status', state]);
    expect(after.stdout).toMatch(/^slow +completed +2 +1 attempt interrupted by a crash \(not counted as retries; max_interruptions 3\)$/m);
    expect(after.stdout).toContain('nothing was running when it stopped; 1 attempt interrupted by earlier crashes (not counted as retries); opened by 2 runs');
  });

  it('lets a task with retry_attempts 0 survive kill -9s of the scheduler: each interrupted attempt is handed back, and it completes on resume', async () => {
    const log = temp.path('log.txt');
    const hurry = temp.path('hurry');
    const workload = writeWorkload('w.yaml', log, { slowSeconds: 5, hurry, retries: 0 });
    const state = temp.path('run.db');
    await killWhileSlowRuns(workload, state);
    // Killed again while the resumed attempt runs: a second interruption, still within the default 3.
    await killWhileSlowRuns(workload, state, /started +slow/);
    const status = await runMain(['status', state]);
    expect(status.stdout).toMatch(/^slow +running +2 +running attempt 2 when the run ended \(a crash or a kill\); 1 attempt interrupted by a crash/m);

    writeFileSync(hurry, '');
    const resumed = await runMain(['run', workload, '--state', state]);
    expect(resumed.code).toBe(0);
    expect(resumed.stdout).toContain('1 attempt interrupted (slow): not counted as a retry (1 attempt interrupted by earlier crashes)');
    expect(resumed.stdout).toMatch(/^slow +completed +3 /m);
    expect(resumed.stdout).toMatch(/^3 tasks: 3 completed, 0 failed, 0 cancelled in /m);
  });

  it('fails a task interrupted more than its max_interruptions with AttemptInterruptedError naming the count, and exits 1', async () => {
    const log = temp.path('log.txt');
    const workload = writeWorkload('w.yaml', log, { slowSeconds: 5, retries: 3, slowMaxInterruptions: 0 });
    const state = temp.path('run.db');
    await killWhileSlowRuns(workload, state);
    const resumed = await runMain(['run', workload, '--state', state]);
    expect(resumed.code).toBe(1);
    expect(resumed.stdout).toMatch(/^slow +failed +1 /m);
    expect(resumed.stdout).toContain('slow failed: task "slow": attempt 1 was interrupted, its 1st interruption (more than maxInterruptions 0)');
    const status = await runMain(['status', state, '--json']);
    const slow = (JSON.parse(status.stdout) as { list: { id: string; interruptedAttempts: number; detail: string }[] }).list.find((task) => task.id === 'slow');
    expect(slow).toMatchObject({ interruptedAttempts: 1 });
    expect(slow?.detail).toMatch(/^AttemptInterruptedError: .*its 1st interruption .*; 1 attempt interrupted by a crash \(not counted as retries; max_interruptions 0\)$/);
    expect(logLines(log).filter((line) => line === 'slow')).toEqual([]);
  });

  it('refuses a workload that conflicts with the stored run, listing every difference, and changes nothing', async () => {
    const log = temp.path('log.txt');
    const state = temp.path('run.db');
    expect((await runMain(['run', writeWorkload('w.yaml', log), '--state', state, '-q'])).code).toBe(0);
    const before = readFileSync(state);
    const changed = temp.path('changed.yaml');
    writeFileSync(
      changed,
      readFileSync(temp.path('w.yaml'), 'utf8').replace('depth: 2', 'depth: 3').replace(/ {2}slow:\n.*\n.*\n/, '').replace('  first:\n', '  first:\n    max_interruptions: 5\n'),
    );
    const refused = await runMain(['run', changed, '--state', state]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain(`error: task store "${state}": holds a run that conflicts with this workload:`);
    expect(refused.stderr).toContain('  - task "second": config differs (stored {"depth":2}, workload {"depth":3})');
    expect(refused.stderr).toContain('  - task "slow" is in the stored run but not in the workload');
    expect(refused.stderr).toContain('  - task "first": max_interruptions differs (stored 3, workload 5)');
    expect(refused.stderr).toContain('--fresh');
    expect(readFileSync(state).equals(before)).toBe(true);

    const fresh = await runMain(['run', changed, '--state', state, '--fresh', '-q']);
    expect(fresh.code).toBe(0);
    expect(fresh.stdout).not.toContain('resumed');
    expect(logLines(log)).toHaveLength(5);
    expect((await runMain(['status', state])).stdout).toContain('2 tasks: 2 completed');
  });

  it('refuses a changed command of a task that already ran, and lets one that never ran change', async () => {
    const log = temp.path('log.txt');
    const state = temp.path('run.db');
    const workload = temp.path('w.yaml');
    const write = (firstCommand: string, blockedCommand: string): void =>
      writeFileSync(
        workload,
        `config:
  scheduler:
    type: task
    task_scheduler:
      max_workers: 1
      retry_attempts: 0
tasks:
  first:
    command: ${firstCommand}
  broken:
    command: exit 3
  blocked:
    dependencies: [broken]
    command: ${blockedCommand}
`,
      );
    write(`echo first >> "${log}"`, 'echo never');
    expect((await runMain(['run', workload, '--state', state, '-q'])).code).toBe(1);
    const before = readFileSync(state);
    write(`echo first, changed >> "${log}"`, 'echo changed too');
    const refused = await runMain(['run', workload, '--state', state]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain(`  - task "first": command differs (stored "echo first >> \\"${log}\\"", workload "echo first, changed >> \\"${log}\\"")`);
    expect(refused.stderr).not.toContain('task "blocked"');
    expect(readFileSync(state).equals(before)).toBe(true);

    write(`echo first >> "${log}"`, 'echo changed too');
    const resumed = await runMain(['run', workload, '--state', state, '-q']);
    expect(resumed.code).toBe(1);
    expect(resumed.stdout).toContain('resumed');
    expect(resumed.stdout).toContain('is finished: 3 tasks (1 completed, 2 failed, 0 cancelled); nothing to run.');
    expect(logLines(log)).toEqual(['first']);

    const fresh = await runMain(['run', workload, '--state', state, '--fresh', '-q']);
    expect(fresh.code).toBe(1);
    expect(logLines(log)).toEqual(['first', 'first']);
  });

  it('refuses a state file that is not a store, naming it, and never removes it, even with --fresh', async () => {
    const log = temp.path('log.txt');
    const state = temp.path('notes.txt');
    writeFileSync(state, 'my notes, not a database\n'.repeat(10));
    for (const args of [[], ['--fresh']]) {
      const refused = await runMain(['run', writeWorkload('w.yaml', log), '--state', state, ...args]);
      expect(refused.code).toBe(2);
      expect(refused.stderr).toContain(`error: task store "${state}": is not an SQLite database`);
    }
    expect(readFileSync(state, 'utf8')).toBe('my notes, not a database\n'.repeat(10));
    const status = await runMain(['status', temp.path('missing.db')]);
    expect(status.stderr).toBe(`error: task store "${temp.path('missing.db')}": does not exist\n`);
    expect(status.code).toBe(2);
  });
});
