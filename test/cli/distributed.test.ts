import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { RunReport } from '../../src/cli/buildRunReport.js';
import { bullmqExecutor } from '../../src/distributed/index.js';
import { type TestRedis } from '../distributed/startRedis.js';
import { requireTool } from '../support/requireTool.js';
import { runCli, startCli, type CliProcess } from './runCli.js';
import { redisForSuite } from '../distributed/redisForSuite.js';
import { waitUntil } from '../support/waitUntil.js';

/** The parent pid of a process, from /proc. */
const parentOf = (pid: number): number => Number(readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ')[1]);

describe.skipIf(requireTool('redis-server') !== undefined)('xeno-scheduler run (type: distributed) and worker', () => {
  let redis: TestRedis;
  const workers: CliProcess[] = [];
  redisForSuite((started) => (redis = started), () => workers.forEach((worker) => worker.child.kill('SIGKILL')));

  it('coordinates a workload on three worker processes of two nodes; a worker SIGKILLed mid-task costs one interrupted attempt', async () => {
    const log = join(mkdtempSync(join(tmpdir(), 'xeno-cli-dist-')), 'log');
    const env = { XENO_REDIS_URL: redis.url, XENO_TEST_LOG: log };
    for (const node of ['n1', 'n1', 'n2']) {
      const worker = startCli(['worker', '--node', node, '--lock-duration', '600'], { env, timeoutMs: 60_000 });
      workers.push(worker);
    }
    await waitUntil(() => workers.every((worker) => worker.stdout().includes('serving node')));
    expect(workers[0]?.stdout()).toMatch(/^worker \S+ serving node "n1" \(concurrency 1\) through redis:\/\/127\.0\.0\.1:\d+; Ctrl-C to stop$/m);

    const coordinator = startCli(['run', 'test/fixtures/distributed/pipeline.yaml', '--json'], { env, timeoutMs: 40_000 });
    await waitUntil(() => existsSync(log) && readFileSync(log, 'utf8').includes('long-start'));
    const shell = Number(/long-start (\d+)/.exec(readFileSync(log, 'utf8'))?.[1]);
    const victim = workers.find((worker) => worker.child.pid === parentOf(shell)) as CliProcess;
    // The machine dies: its worker and the command it ran.
    victim.child.kill('SIGKILL');
    process.kill(-shell, 'SIGKILL');

    const { code, stdout, stderr } = await coordinator.result;
    expect(stderr).toContain('coordinating nodes n1, n2 (least_loaded) through redis://127.0.0.1');
    expect(code).toBe(0);
    const report = JSON.parse(stdout) as RunReport;
    const attempts = Object.fromEntries(report.tasks.map((task) => [task.name, [task.status, task.attempts]]));
    expect(attempts).toEqual({ fetch: ['completed', 1], long: ['completed', 2], left: ['completed', 1], right: ['completed', 1], join: ['completed', 1] });
    // Each task says where it ran: a distributed run's report carries the node.
    for (const task of report.tasks) expect(task.node).toMatch(/^n[12]$/);
    const lines = readFileSync(log, 'utf8').trim().split('\n').map((line) => line.split(' ')[0]);
    for (const task of ['fetch', 'long', 'left', 'right', 'join']) expect(lines.filter((name) => name === task)).toHaveLength(1);
    expect(lines.filter((name) => name === 'long-start')).toHaveLength(2);
    expect(lines[0]).toBe('fetch');
    expect(lines.at(-1)).toBe('join');

    const stopped = workers.filter((worker) => worker !== victim);
    for (const worker of stopped) worker.child.kill('SIGTERM');
    for (const worker of stopped) expect((await worker.result).code).toBe(0);
  }, 60_000);

  it('refuses a worker for a node the running coordinator does not have, naming it', async () => {
    const coordinator = bullmqExecutor({ connection: redis.url, nodes: ['n1', 'n2'] });
    await coordinator.ready();
    try {
      const { code, stderr } = await runCli(['worker', '--node', 'zz'], { env: { XENO_REDIS_URL: redis.url } });
      expect(code).toBe(2);
      expect(stderr).toBe('error: node "zz" is not one of the coordinator\'s nodes (n1, n2)\n');
    } finally {
      await coordinator.close();
    }
  });
});
