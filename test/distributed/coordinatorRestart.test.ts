import { mkdtempSync, readFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { RunReport } from '../../src/cli/buildRunReport.js';
import { startCli, type CliProcess } from '../cli/runCli.js';
import { eventually } from './coordinator.js';
import { type TestRedis } from './startRedis.js';
import { requireTool } from '../support/requireTool.js';
import { redisForSuite } from './redisForSuite.js';

const WORKLOAD = 'test/fixtures/distributed/restart.yaml';
const TASKS = ['first', 'short1', 'short2', 'slow1', 'slow2', 'last'];

/** The log's lines, first word only: "<task>-start" when a command starts, "<task>" when it ends. */
const logLines = (log: string): string[] => (existsSync(log) ? readFileSync(log, 'utf8').trim().split('\n').map((line) => line.split(' ')[0] as string) : []);

/** SIGKILLs a coordinator (no clean-up of any kind runs) and waits for its end. */
async function killHard(coordinator: CliProcess): Promise<void> {
  coordinator.child.kill('SIGKILL');
  const { signal } = await coordinator.result;
  expect(signal).toBe('SIGKILL');
}

describe.skipIf(requireTool('redis-server') !== undefined)('a distributed coordinator SIGKILLed and restarted on its --state file', () => {
  let redis: TestRedis;
  const workers: CliProcess[] = [];
  redisForSuite((started) => (redis = started), () => workers.forEach((worker) => worker.child.kill('SIGKILL')));

  it('re-attaches to the jobs still running, picks up the outcomes that arrived while it was down, and runs no command twice', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'xeno-restart-'));
    const log = join(dir, 'log');
    const report = join(dir, 'report.json');
    const env = { XENO_REDIS_URL: redis.url, XENO_TEST_LOG: log };
    for (const node of ['n1', 'n1', 'n2']) workers.push(startCli(['worker', '--node', node, '--concurrency', '2', '--lock-duration', '2000'], { env, timeoutMs: 60_000 }));
    await eventually(() => workers.every((worker) => worker.stdout().includes('serving node')), 20_000);
    const command = ['run', WORKLOAD, '--state', join(dir, 'run.db'), '--report', report];

    // 1. Killed while four commands run on the workers.
    const first = startCli(command, { env, timeoutMs: 40_000 });
    await eventually(() => ['short1-start', 'short2-start', 'slow1-start', 'slow2-start'].every((line) => logLines(log).includes(line)), 20_000);
    await killHard(first);
    // The short ones finish while no coordinator listens.
    await eventually(() => logLines(log).includes('short1') && logLines(log).includes('short2'), 10_000);

    // 2. Restarted: it re-attaches; killed again before the slow ones end.
    const second = startCli(command, { env, timeoutMs: 40_000 });
    await eventually(() => second.stdout().includes('running 6 tasks'), 20_000);
    expect(second.stdout()).toContain('1 task had finished (1 completed, 0 failed, 0 cancelled; not run again), 4 attempts were running (short1, short2, slow1, slow2): re-attaching to their jobs');
    expect(logLines(log)).not.toContain('slow1');
    await killHard(second);

    // 3. Restarted again: it runs to the end.
    const third = await startCli(command, { env, timeoutMs: 40_000 }).result;
    expect(third.stderr).toBe('');
    expect(third.code).toBe(0);
    expect(third.stdout).toMatch(/resumed .*run\.db: \d tasks? had finished .*re-attached to their jobs/);
    const done = JSON.parse(readFileSync(report, 'utf8')) as RunReport;
    expect(done.tasks.map((task) => [task.name, task.status, task.attempts])).toEqual(TASKS.map((name) => [name, 'completed', 1]));
    // Whatever the second coordinator recorded before it died, nothing was lost or run again.
    const reattached = done.summary.resumed?.reattached;
    expect(reattached?.gone).toEqual([]);
    expect([...(reattached?.finished ?? []), ...(reattached?.running ?? [])].sort()).toEqual(expect.arrayContaining(['slow1', 'slow2']));

    // Every command ran exactly once.
    const lines = logLines(log);
    for (const task of TASKS) expect(lines.filter((line) => line === task), task).toHaveLength(1);
    for (const task of ['short1', 'short2', 'slow1', 'slow2']) expect(lines.filter((line) => line === `${task}-start`), task).toHaveLength(1);
    expect(lines.at(-1)).toBe('last');
  }, 60_000);
});
