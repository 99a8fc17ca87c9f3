import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { RunReport } from '../../src/cli/buildRunReport.js';
import { freePort } from '../support/freePort.js';
import { promtoolCheck, sample } from '../support/prometheusText.js';
import { skipWithout } from '../support/requireTool.js';
import { runCli, startCli } from './runCli.js';
import { runMain } from './runMain.js';

const tmp = mkdtempSync(join(tmpdir(), 'xeno-cli-metrics-'));
const WORKLOAD = 'test/fixtures/cli/metrics-scrape.yaml';

const finished = (page: string, status: string): number | undefined => sample(page, 'xeno_scheduler_tasks_finished_total', { task_status: status });

describe.concurrent('xeno-scheduler run --metrics-port', () => {
  it('serves the metrics while the run lasts: a scrape from its last task adds up to the summary', async (context) => {
    const port = await freePort();
    const out = join(tmp, 'scrape.txt');
    const { code, stdout, stderr } = await runCli(['run', WORKLOAD, '--metrics-port', String(port), '--json'], {
      env: { METRICS_URL: `http://127.0.0.1:${port}/metrics`, SCRAPE_OUT: out },
    });
    expect(stderr).toContain(`metrics: http://127.0.0.1:${port}/metrics`);
    expect(code).toBe(1);
    const { summary, tasks } = JSON.parse(stdout) as RunReport;
    const page = readFileSync(out, 'utf8');
    // The scrape ran as the last task: everything else had ended, and it was the one running.
    expect(sample(page, 'xeno_scheduler_tasks_running', { scheduler_policy: 'priority' })).toBe(1);
    expect((finished(page, 'completed') ?? 0) + 1).toBe(summary.completed);
    expect(finished(page, 'failed')).toBe(summary.failed);
    expect(finished(page, 'cancelled')).toBe(summary.cancelled);
    const attempts = tasks.reduce((sum, task) => sum + task.attempts, 0);
    const ended = ['completed', 'failed', 'retrying', 'cancelled'].reduce((sum, status) => sum + (sample(page, 'xeno_scheduler_task_run_duration_count', { task_status: status }) ?? 0), 0);
    expect(ended + 1).toBe(attempts);
    expect(sample(page, 'xeno_scheduler_task_retries_total')).toBe(tasks.reduce((sum, task) => sum + Math.max(0, task.attempts - 1), 0));
    expect(summary).toMatchObject({ total: 5, completed: 3, failed: 2 });
    // Once the run is over the endpoint is gone.
    await expect(fetch(`http://127.0.0.1:${port}/metrics`)).rejects.toThrow();
    expect(promtoolCheck(skipWithout(context, 'promtool'), page)).toEqual({ status: 0, output: '' });
  });

  it('keeps serving the final counts with --keep-open until Ctrl-C, without starting the dashboard', async () => {
    const port = await freePort();
    const url = `http://127.0.0.1:${port}/metrics`;
    const cli = startCli(['run', WORKLOAD, '--metrics-port', String(port), '--keep-open', '--quiet'], { env: { METRICS_URL: url, SCRAPE_OUT: join(tmp, 'kept.txt') } });
    await new Promise<void>((resolve, reject) => {
      const check = () => (cli.stdout().includes('press Ctrl-C') ? resolve() : undefined);
      cli.child.stdout.on('data', check);
      cli.result.then(() => reject(new Error(`ended early:\n${cli.stdout()}\n${cli.stderr()}`)), reject);
      check();
    });
    expect(cli.stdout()).toContain(`still serving metrics at ${url}; press Ctrl-C to close`);
    expect(cli.stdout()).not.toContain('dashboard');
    const page = await (await fetch(url)).text();
    expect(finished(page, 'completed')).toBe(3);
    expect(finished(page, 'failed')).toBe(2);
    expect(sample(page, 'xeno_scheduler_tasks_running')).toBe(0);
    cli.child.kill('SIGINT');
    const { code } = await cli.result;
    expect(code).toBe(1);
  });

  it.each([
    ['70000', 'expected a port, a whole number from 0 to 65535, found "70000"'],
    ['-1', 'expected a port, a whole number from 0 to 65535, found "-1"'],
    ['http', 'expected a port, a whole number from 0 to 65535, found "http"'],
  ])('exits 2 for --metrics-port %s, naming the option, what was expected and what was found', async (port, message) => {
    const { code, stderr } = await runMain(['run', WORKLOAD, '--metrics-port', port]);
    expect(code).toBe(2);
    expect(stderr).toBe(`error: <command line>: --metrics-port: ${message} (add --help for usage)\n`);
  });
});
