import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { RunReport } from '../../src/cli/buildRunReport.js';
import { isRunning, readPidFile, waitUntilGone } from '../executors/processState.js';
import { startCli } from './runCli.js';

const tmp = mkdtempSync(join(tmpdir(), 'xeno-cli-interrupt-'));
const workload = 'test/fixtures/cli/interruptible.yaml';

describe.concurrent('xeno-scheduler run, interrupted', () => {
  it.each(['SIGINT', 'SIGTERM'] as const)('cancels the running task on %s, kills its processes, prints what was done and exits 130', async (signal) => {
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
    expect(stdout).toContain(`interrupted by ${signal}: 1 running tasks stopped (their processes killed), the rest cancelled\n`);
    expect(stdout).toMatch(/^3 tasks: 1 completed, 0 failed, 2 cancelled in /m);
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
