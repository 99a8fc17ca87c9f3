import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import type { RunReport } from '../../src/cli/buildRunReport.js';
import { isRunning, readPidFile, waitUntilGone } from '../workers/processState.js';
import { runCli, startCli } from './runCli.js';

const tmp = mkdtempSync(join(tmpdir(), 'xeno-cli-interrupt-'));
const workload = 'test/fixtures/cli/interruptible.yaml';

/** Polls until `isDone` holds, for at most 10 s. */
async function waitFor(isDone: () => boolean): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!isDone()) {
    if (Date.now() > deadline) throw new Error('gave up waiting');
    await delay(10);
  }
}

describe.concurrent('xeno-scheduler run, interrupted', () => {
  it('resumes a --state run after a Ctrl-C: the attempt it stopped runs again, not counted, even with no retry left', async () => {
    const folder = mkdtempSync(join(tmp, 'resume-'));
    const file = join(folder, 'workload.yaml');
    // a's first run waits to be stopped; its second one (a file marks the first) ends at once.
    writeFileSync(
      file,
      'config: {scheduler: {task_scheduler: {retry_attempts: 0}}}\n' +
        'tasks:\n' +
        '  a: {command: \'if [ -e "$MARK" ]; then echo again; else touch "$MARK"; echo $$ > "$PID_FILE"; exec sleep 30; fi\'}\n' +
        '  b: {command: "true", dependencies: [a]}\n',
    );
    const env = { PID_FILE: join(folder, 'a.pid'), MARK: join(folder, 'mark') };
    const state = join(folder, 'run.db');
    const first = startCli(['run', file, '--state', state], { env });
    await readPidFile(env.PID_FILE, 10_000);
    first.child.kill('SIGINT');
    const stopped = await first.result;
    expect(stopped.code).toBe(130);
    expect(stopped.stderr).toContain(`the run is kept in ${state} as it was (the tasks stopped here stay pending there): run the same command again to resume it; an attempt this stop cut short starts again, not counted\n`);
    // The summary counts as `status` does: what the stop cut off is pending there, and resumes.
    expect(stopped.stdout).toMatch(/^2 tasks: 0 completed, 0 failed, 2 stopped in [\d.]+s; run the same command again to resume them$/m);
    expect(stopped.stdout).toContain('interrupted by SIGINT: 1 running task stopped (its processes killed), the rest left pending\n');
    const status = await runCli(['status', state]);
    expect(status.stdout).toMatch(/: 2 tasks: 0 completed, 0 failed, 0 cancelled, 0 running, 2 pending;/);
    expect(status.stdout).toMatch(/^a +pending +1 +attempt 1 stopped with the run: starts again on resume, not counted$/m);
    const resumed = await runCli(['run', file, '--state', state], { env });
    expect(resumed.stderr + resumed.stdout).toContain("no attempt interrupted, 1 attempt stopped by the last run's stop (a): started again, not counted, 2 tasks waiting");
    expect(resumed.stdout).toMatch(/^a +completed +2 /m);
    expect(resumed.stdout).toMatch(/^b +completed +1 /m);
    expect(resumed.code).toBe(0);
  });

  it.each(['SIGINT', 'SIGTERM', 'SIGHUP'] as const)('cancels the running task on %s, kills its processes, prints what was done and exits 130', async (signal) => {
    const pidFile = join(tmp, `${signal}.pid`);
    const cli = startCli(['run', workload], { env: { PID_FILE: pidFile } });
    const sleepPid = await readPidFile(pidFile, 10_000);
    expect(isRunning(sleepPid)).toBe(true);
    cli.child.kill(signal);
    const { code, stdout } = await cli.result;
    expect(code).toBe(130);
    // The grandchild `sleep 30` is gone (a zombie nobody reaps counts as gone).
    expect(await waitUntilGone(sleepPid, 3000)).toBe(true);
    expect(stdout).toMatch(/^\s+\d+\.\d\ds {2}completed {2}warm_up in /m);
    expect(stdout).toMatch(/^\s+\d+\.\d\ds {2}cancelled {2}sleeper: scheduler stopped$/m);
    expect(stdout).toMatch(/^sleeper +cancelled +1 +\d+ +\d+$/m);
    expect(stdout).toMatch(/^after_sleep +cancelled +0 +0 +0$/m);
    expect(stdout).toContain(`interrupted by ${signal}: 1 running task stopped (its processes killed), the rest cancelled\n`);
    expect(stdout).toMatch(/^3 tasks: 1 completed, 0 failed, 2 cancelled in /m);
  });

  it.each([
    ['a second Ctrl-C at once', 0],
    ['a second Ctrl-C a moment later', 300],
  ])('kills children that ignore SIGTERM without waiting out their grace after %s, and still prints what was done', async (_, pause) => {
    const pidFile = join(tmp, `stubborn-${pause}.pid`);
    const cli = startCli(['run', 'test/fixtures/cli/stubborn.yaml'], { env: { PID_FILE: pidFile } });
    const sleepPid = await readPidFile(pidFile, 10_000);
    cli.child.kill('SIGINT');
    // Two signals sent back to back may reach the process as one: the second goes once the first is taken.
    await waitFor(() => cli.stderr().includes('SIGINT: stopping the running tasks; again to kill their processes now\n'));
    await delay(pause);
    cli.child.kill('SIGINT');
    const secondAt = Date.now();
    const { code, stdout, stderr } = await cli.result;
    expect(code).toBe(130);
    // The grace between SIGTERM and SIGKILL is 2 s: a hurried exit does not wait it out.
    expect(Date.now() - secondAt).toBeLessThan(1500);
    expect(await waitUntilGone(sleepPid, 1000)).toBe(true);
    expect(stderr).toMatch(/^SIGINT again: killing the tasks' processes now$/m);
    expect(stdout).toMatch(/^stubborn +cancelled +1 /m);
    expect(stdout).toContain('interrupted by SIGINT: 1 running task stopped');
  });

  it('kills children that ignore SIGTERM once their grace is over after one Ctrl-C', async () => {
    const pidFile = join(tmp, 'stubborn-once.pid');
    const cli = startCli(['run', 'test/fixtures/cli/stubborn.yaml'], { env: { PID_FILE: pidFile } });
    const sleepPid = await readPidFile(pidFile, 10_000);
    cli.child.kill('SIGINT');
    const { code, stdout } = await cli.result;
    expect(code).toBe(130);
    expect(await waitUntilGone(sleepPid, 1000)).toBe(true);
    expect(stdout).toMatch(/^stubborn +cancelled +1 /m);
  });

  it('does not exit before a background process that ignores SIGTERM is killed, when the run ends by itself', async () => {
    const pidFile = join(tmp, 'leaves-background.pid');
    const { code } = await runCli(['run', 'test/fixtures/cli/leaves-background.yaml'], { env: { PID_FILE: pidFile } });
    expect(code).toBe(0);
    const sleepPid = await readPidFile(pidFile);
    expect(await waitUntilGone(sleepPid, 500)).toBe(true);
  });

  it('ends with exit 1 and the JSON document when a module that never settles times out', async () => {
    const { code, stdout } = await runCli(['run', 'test/fixtures/cli/never-settles.yaml', '--json']);
    expect(code).toBe(1);
    const { tasks, summary } = JSON.parse(stdout) as RunReport;
    expect(tasks[0]).toMatchObject({ name: 'stuck', status: 'failed', error: 'task "stuck" timed out after 1000 ms' });
    expect(summary).toMatchObject({ failed: 1, exitCode: 1 });
  });

  it.each([[[]], [['--json']]])('ends with exit 130 and the summary when Ctrl-C stops a module that never settles (%j)', async (flags) => {
    const cli = startCli(['run', 'test/fixtures/cli/never-settles-untimed.yaml', ...flags]);
    await waitFor(() => /started +stuck/.test(cli.stdout() + cli.stderr()));
    cli.child.kill('SIGINT');
    const { code, stdout } = await cli.result;
    expect(code).toBe(130);
    if (flags.length === 0) {
      expect(stdout).toMatch(/^stuck +cancelled +1 /m);
    } else {
      expect((JSON.parse(stdout) as RunReport).summary).toMatchObject({ interruptedBy: 'SIGINT', exitCode: 130, cancelled: 1 });
    }
  });

  it('serves the dashboard during the run (URL on stderr under --json) and reports the interruption in the JSON', async () => {
    const pidFile = join(tmp, 'dashboard.pid');
    const cli = startCli(['run', workload, '--json', '--dashboard'], { env: { PID_FILE: pidFile } });
    const sleepPid = await readPidFile(pidFile, 10_000);
    const url = /^dashboard: (http:\/\/127\.0\.0\.1:\d+\/)$/m.exec(cli.stderr())?.[1];
    expect(url).toBeDefined();
    const page = await fetch(url ?? '');
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<html');
    cli.child.kill('SIGINT');
    const { code, stdout } = await cli.result;
    expect(code).toBe(130);
    expect(await waitUntilGone(sleepPid, 3000)).toBe(true);
    const { tasks, summary } = JSON.parse(stdout) as RunReport;
    expect(tasks.map((task) => [task.name, task.status])).toEqual([
      ['warm_up', 'completed'],
      ['sleeper', 'cancelled'],
      ['after_sleep', 'cancelled'],
    ]);
    expect(tasks[1]?.error).toBe('scheduler stopped');
    expect(summary).toMatchObject({ interruptedBy: 'SIGINT', exitCode: 130, completed: 1, cancelled: 2 });
    await expect(fetch(url ?? '')).rejects.toThrow();
  });
});
