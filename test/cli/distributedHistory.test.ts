import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { RunReport } from '../../src/cli/buildRunReport.js';
import { SKIP_REASON, type TestRedis } from '../distributed/startRedis.js';
import { redisForSuite } from '../distributed/redisForSuite.js';
import { waitUntil } from '../support/waitUntil.js';
import { runCli, startCli, type CliProcess } from './runCli.js';

describe.skipIf(SKIP_REASON !== undefined)('run --history, type: distributed', () => {
  let redis: TestRedis;
  const workers: CliProcess[] = [];
  redisForSuite((started) => (redis = started), () => workers.forEach((worker) => worker.child.kill('SIGKILL')));

  it('keys and restores on the coordinator: a worker runs only the misses', async () => {
    const folder = mkdtempSync(join(tmpdir(), 'xeno-dist-history-'));
    const log = join(folder, 'log');
    writeFileSync(join(folder, 'lemma.v'), 'Lemma a.\n');
    const workload = join(folder, 'proofs.yaml');
    writeFileSync(
      workload,
      `config:
  scheduler:
    type: distributed
    distributed_scheduler:
      nodes: [n1]
      check_interval: 0.2
tasks:
  lemma:
    inputs: [lemma.v]
    command: echo "lemma $$" >> "$XENO_TEST_LOG"; echo verified
  theorem:
    dependencies: [lemma]
    inputs: []
    command: echo "theorem $$" >> "$XENO_TEST_LOG"; echo proved
`,
    );
    const env = { XENO_REDIS_URL: redis.url, XENO_TEST_LOG: log };
    const worker = startCli(['worker', '--node', 'n1'], { env, timeoutMs: 60_000 });
    workers.push(worker);
    await waitUntil(() => worker.stdout().includes('serving node'));
    const history = join(folder, 'h.db');
    const run = async (): Promise<Record<string, string>> => {
      const { code, stdout } = await runCli(['run', workload, '--history', history, '--json'], { env, timeoutMs: 40_000 });
      expect(code).toBe(0);
      const report = JSON.parse(stdout) as RunReport;
      return Object.fromEntries(report.tasks.map((task) => [task.name, task.cached === true ? 'cached' : `ran on ${task.node}: ${task.ranBecause}`]));
    };
    const ran = () => readFileSync(log, 'utf8').trim().split('\n').map((line) => line.split(' ')[0]);

    expect(await run()).toEqual({ lemma: 'ran on n1: no entry', theorem: 'ran on n1: no entry' });
    expect(await run()).toEqual({ lemma: 'cached', theorem: 'cached' });
    expect(ran()).toEqual(['lemma', 'theorem']);
    writeFileSync(join(folder, 'lemma.v'), 'Lemma a. (* edited *)\n');
    expect(await run()).toEqual({ lemma: 'ran on n1: lemma.v changed', theorem: 'ran on n1: dependency "lemma" changed' });
    expect(ran()).toEqual(['lemma', 'theorem', 'lemma', 'theorem']);

    worker.child.kill('SIGTERM');
    expect((await worker.result).code).toBe(0);
  }, 90_000);
});
