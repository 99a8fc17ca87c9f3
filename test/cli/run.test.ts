import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { RunReport } from '../../src/cli/buildRunReport.js';
import { runCli } from './runCli.js';
import { runMain } from './runMain.js';

const tmp = mkdtempSync(join(tmpdir(), 'xeno-cli-run-'));

/** Rows of the summary table: task name → status, attempts. */
function summaryRows(stdout: string): Map<string, { status: string; attempts: number }> {
  const table = stdout.slice(stdout.indexOf('\ntask '));
  const rows = table
    .split('\n')
    .map((line) => line.trim().split(/\s+/))
    .filter((cells) => cells.length === 5 && /^\d+$/.test(cells[2] ?? ''));
  return new Map(rows.map(([task, status, attempts]) => [task ?? '', { status: status ?? '', attempts: Number(attempts) }]));
}

// Each test is a separate process: run them side by side.
describe.concurrent('xeno-scheduler run', () => {
  it('runs the proof pipeline to the end: a line per state change, every task completed in the summary, exit 0', async () => {
    const { code, stdout } = await runCli(['run', 'config/examples/proof-pipeline.yaml']);
    expect(code).toBe(0);
    expect(stdout).toMatch(/^running 15 tasks from config\/examples\/proof-pipeline\.yaml on 2 workers \(policy critical-path\)$/m);
    expect(stdout).toMatch(/^\s+\d+\.\d\ds {2}started {4}parse_axioms$/m);
    expect(stdout).toMatch(/completed {2}theorem_am_gm in \d+\.\d\ds: theorem am_gm verified/);
    const rows = summaryRows(stdout);
    expect(rows.size).toBe(15);
    for (const row of rows.values()) expect(row).toEqual({ status: 'completed', attempts: 1 });
    expect(stdout).toMatch(/^task +status +attempts +duration ms +wait ms$/m);
    expect(stdout).toMatch(/^15 tasks: 15 completed, 0 failed, 0 cancelled in \d+\.\d\ds$/m);
    // Not a terminal: no escape codes.
    expect(stdout).not.toContain('\x1b[');
  });

  it('prints only one JSON document on stdout with --json, progress on stderr, and writes the same to --report', async () => {
    const report = join(tmp, 'data-processing.json');
    const { code, stdout, stderr } = await runCli(['run', 'config/examples/data-processing.yaml', '--json', '--report', report]);
    expect(code).toBe(0);
    const document = JSON.parse(stdout) as RunReport;
    expect(readFileSync(report, 'utf8')).toBe(stdout);
    expect(document.tasks).toHaveLength(12);
    for (const task of document.tasks) {
      // Every task of the example declares an estimate; each command's last attempt was measured.
      expect(task).toEqual({
        name: expect.any(String),
        status: 'completed',
        attempts: 1,
        durationMs: expect.any(Number),
        waitMs: expect.any(Number),
        output: expect.any(String),
        estimateMs: expect.any(Number),
        estimateSource: 'declared',
        usage: { durationMs: expect.any(Number), peakRssBytes: expect.any(Number), cpuMs: expect.any(Number), measuredBy: 'proc' },
      });
      expect(task.durationMs).toBeGreaterThan(0);
    }
    expect(document.tasks.find((task) => task.name === 'join_sales')?.output).toBe('joined sales: 12828 rows');
    // A task's config reaches its command as XENO_CONFIG_<KEY>.
    expect(document.tasks.find((task) => task.name === 'extract_orders')?.output).toBe('extracted orders 12840 rows');
    expect(document.tasks.find((task) => task.name === 'publish_report')?.output).toBe('published sales-summary');
    expect(document.summary).toMatchObject({ total: 12, completed: 12, failed: 0, cancelled: 0, exitCode: 0, interruptedBy: null, policy: 'fair-share', maxWorkers: 3 });
    expect(stderr).toMatch(/completed {2}publish_report/);
  });

  it('keeps what module tasks print, inline or in a worker thread, out of the --json document, as their output', async () => {
    const { code, stdout, stderr } = await runCli(['run', 'test/fixtures/cli/chatty-modules.yaml', '--json']);
    expect(code).toBe(1);
    const byName = new Map((JSON.parse(stdout) as RunReport).tasks.map((task) => [task.name, task]));
    for (const name of ['inline', 'threaded']) {
      expect(byName.get(name)).toMatchObject({ status: 'completed', output: `log from ${name}\nwrite from ${name}\ninfo from ${name}` });
    }
    for (const name of ['inline_failure', 'threaded_failure']) {
      expect(byName.get(name)).toMatchObject({ status: 'failed', error: `${name} went out of range`, output: `about to fail in ${name}` });
    }
    expect(byName.get('aborted_by_timeout')).toMatchObject({ status: 'failed', error: expect.stringMatching(/timed out/) });
    // Progress shows a completed task's last output line, as for a command; nothing else of it.
    expect(stderr).toMatch(/completed {2}inline in \d+\.\d\ds: info from inline$/m);
    expect(stderr).not.toMatch(/(log|write|error) from|about to fail|aborting/);
  });

  it('exits 1 when a task fails, with each task\'s status, attempts, error and output tail', async () => {
    const { code, stdout } = await runCli(['run', 'test/fixtures/cli/mixed-outcomes.yaml', '--json']);
    expect(code).toBe(1);
    const { tasks, summary } = JSON.parse(stdout) as RunReport;
    const byName = new Map(tasks.map((task) => [task.name, task]));
    expect(byName.get('hello')).toMatchObject({ status: 'completed', attempts: 1, output: 'hello from hello' });
    expect(byName.get('broken')).toMatchObject({ status: 'failed', attempts: 1, output: 'about to fail' });
    expect(byName.get('broken')?.error).toMatch(/exited with code 3: no proof found$/);
    expect(byName.get('after_broken')).toMatchObject({ status: 'failed', attempts: 0, durationMs: 0, error: 'task "after_broken" cannot run: dependency "broken" failed' });
    expect(byName.get('flaky')).toMatchObject({ status: 'completed', attempts: 2, output: 'passed on attempt 2' });
    expect(byName.get('flaky')).not.toHaveProperty('error');
    expect(byName.get('sum_in_worker')).toMatchObject({ status: 'completed', attempts: 1 });
    expect(byName.get('echo_inline')).toMatchObject({ status: 'completed', attempts: 1 });
    expect(summary).toMatchObject({ total: 6, completed: 4, failed: 2, cancelled: 0, exitCode: 1 });
  });

  it('lists the failures under the summary table', async () => {
    const { code, stdout } = await runCli(['run', 'test/fixtures/cli/mixed-outcomes.yaml', '--quiet']);
    expect(code).toBe(1);
    expect(stdout).not.toMatch(/started/);
    expect(summaryRows(stdout).get('flaky')).toEqual({ status: 'completed', attempts: 2 });
    expect(stdout).toMatch(/^broken failed: command ".*" exited with code 3: no proof found$/m);
    expect(stdout).toMatch(/^6 tasks: 4 completed, 2 failed, 0 cancelled in /m);
  });

  it('applies --max-workers and --policy over the configuration', async () => {
    const { code, stdout } = await runCli(['run', 'test/fixtures/cli/mixed-outcomes.yaml', '--json', '--max-workers', '1', '--policy', 'fifo']);
    expect(code).toBe(1);
    const { tasks, summary } = JSON.parse(stdout) as RunReport;
    expect(summary).toMatchObject({ maxWorkers: 1, policy: 'fifo' });
    // One worker: whoever ran second waited for the first.
    expect(Math.max(...tasks.map((task) => task.waitMs))).toBeGreaterThan(0);
  });

  it('refuses a workload with simulation-only tasks, naming each, with exit 2 and no stack', async () => {
    const { code, stdout, stderr } = await runMain(['run', 'config/examples/simulation-dag.yaml']);
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toMatch(/^error: 15 problems:$/m);
    expect(stderr).toContain('config/examples/simulation-dag.yaml: tasks.fetch_corpus: expected a `command` or a `module` to run, found neither');
    expect(stderr).toContain('tasks.publish:');
    expect(stderr).not.toMatch(/^\s+at /m);
  });

  it('refuses `type: distributed` when its Redis cannot be reached, naming the URL, before anything runs', async () => {
    const config = join(tmp, 'distributed.yaml');
    writeFileSync(config, 'scheduler:\n  type: distributed\n  distributed_scheduler:\n    redis: redis://127.0.0.1:1\n');
    const { code, stdout, stderr } = await runMain(['run', 'config/examples/proof-pipeline.yaml', '--config', config]);
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toMatch(/^error: cannot reach Redis at redis:\/\/127\.0\.0\.1:1: connect ECONNREFUSED/);
  });

  it('escapes control characters in task names, output and errors in the progress lines and the summary, and keeps them in the JSON', async () => {
    const workload = 'test/fixtures/cli/control-characters.yaml';
    const lines = await runCli(['run', workload]);
    expect(lines.code).toBe(1);
    expect(lines.stdout).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/);
    expect(lines.stdout).toMatch(/started {4}clear\\x1b\[2J\\x07name$/m);
    expect(lines.stdout).toMatch(/completed {2}clear\\x1b\[2J\\x07name in \d+\.\d\ds: done\\x1b\[2J\\rover$/m);
    expect(lines.stdout).toMatch(/^fails\\r\\x9b2J +failed +1 /m);
    expect(lines.stdout).toMatch(/^fails\\r\\x9b2J failed: command ".*" exited with code 1: oops\\x1b\]0;title\\x07$/m);
    const json = await runCli(['run', workload, '--json']);
    expect(json.stderr).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/);
    expect((JSON.parse(json.stdout) as RunReport).tasks.map((task) => task.name)).toEqual(['clear\x1b[2J\x07name', 'fails\r\x9b2J']);
  });

  it.each([[[]], [['--json']]])('refuses a report file a write fails on (/dev/full) before running anything, exit 2 %j', async (more) => {
    const { code, stdout, stderr } = await runCli(['run', 'test/fixtures/cli/one-task.yaml', ...more, '--report', '/dev/full']);
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toMatch(/^error: <command line>: --report: expected a file the output could be written to, found \/dev\/full \(ENOSPC\)$/m);
    expect(stderr).not.toMatch(/internal error|^\s+at /m);
  });

  it.each([
    [['run', 'config/examples/proof-pipeline.yaml', '--max-workers', '0'], /^error: <command line>: --max-workers: expected a whole number >= 1, found "0" \(add --help for usage\)$/m],
    [['run', 'config/examples/proof-pipeline.yaml', '--policy', 'fastest'], /^error: <command line>: --policy: expected one of priority, fifo, .*, found "fastest" \(add --help for usage\)$/m],
    [['run', 'missing.yaml'], /^error: missing\.yaml: <root>: expected a readable file, found ENOENT/m],
    [['run', 'config/examples/proof-pipeline.yaml', '--report', join(tmp, 'no/such/dir/report.json')], /^error: <command line>: --report: expected a file in a writable folder, found .*no\/such\/dir\/report\.json \(.*: ENOENT\)$/m],
    [['run', 'config/examples/proof-pipeline.yaml', '--report', tmp], /^error: <command line>: --report: expected a file, found .* \(a directory\)$/m],
    [['run', 'config/examples/proof-pipeline.yaml', '--report', join(tmp, 'new-folder/')], /^error: <command line>: --report: expected a file, found .*new-folder\/ \(a folder's path\)$/m],
    [['run'], /^error: <command line>: <workload>: expected a workload, found nothing \(add --help for usage\)$/m],
  ])('exits 2 for bad input before running anything: %j', async (args, message) => {
    const { code, stdout, stderr } = await runMain(args);
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toMatch(message);
  });
});
