import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ComparisonRow } from '../../src/simulate/compareSimulations.js';
import { runCli } from './runCli.js';
import { runMain } from './runMain.js';

const tmp = mkdtempSync(join(tmpdir(), 'xeno-cli-simulate-'));

describe.concurrent('xeno-scheduler simulate', () => {
  it('prints the metrics of every compared policy side by side and writes the trace and the SVG timeline', async () => {
    const trace = join(tmp, 'trace.json');
    const svg = join(tmp, 'timeline.svg');
    const args = ['simulate', 'config/examples/simulation-dag.yaml', '--policy', 'fifo', '--compare', 'critical-path,priority', '--trace', trace, '--svg', svg];
    const { code, stdout } = await runCli(args);
    expect(code).toBe(0);
    expect(stdout).toMatch(/^simulated 15 tasks from config\/examples\/simulation-dag\.yaml on 4 workers, seed 0$/m);
    expect(stdout).toMatch(/^metric +fifo +critical-path +priority$/m);
    for (const metric of ['makespan s', 'lower bound s', 'makespan / bound', 'mean wait s', 'p95 wait s', 'max wait s', 'worker utilization']) {
      expect(stdout).toMatch(new RegExp(`^${metric} +[\\d.]+ +[\\d.]+ +[\\d.]+$`, 'm'));
    }
    const written = JSON.parse(readFileSync(trace, 'utf8')) as { policy: string; tasks: unknown[]; events: unknown[] };
    expect(written.policy).toBe('fifo');
    expect(written.tasks).toHaveLength(15);
    expect(readFileSync(svg, 'utf8')).toMatch(/^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
  });

  it('prints one JSON document with --json, the same for the same seed', async () => {
    const args = ['simulate', 'config/examples/simulation-dag.yaml', '--compare', 'fifo', '--max-workers', '2', '--seed', '7', '--json'];
    const first = await runMain(args);
    const second = await runMain(args);
    expect(first.code).toBe(0);
    expect(first.stdout).toBe(second.stdout);
    const { policies, maxWorkers, seed } = JSON.parse(first.stdout) as { policies: ComparisonRow[]; maxWorkers: number; seed: number };
    expect({ maxWorkers, seed }).toEqual({ maxWorkers: 2, seed: 7 });
    // The configuration's policy first, then the compared ones.
    expect(policies.map((row) => row.policy)).toEqual(['critical-path', 'fifo']);
    for (const row of policies) expect(row.makespanMs).toBeGreaterThanOrEqual(row.lowerBoundMs);
  });

  it('takes --max-workers as run does; the old --workers still works with a warning, and is refused beside --max-workers', async () => {
    const base = ['simulate', 'config/examples/simulation-dag.yaml', '--json'];
    const named = await runMain([...base, '--max-workers', '3']);
    expect([named.code, named.stderr, (JSON.parse(named.stdout) as { maxWorkers: number }).maxWorkers]).toEqual([0, '', 3]);
    const old = await runMain([...base, '--workers', '3']);
    expect(old.stderr).toBe('warning: --workers is now --max-workers, as in `run`; the old name will be removed\n');
    expect([old.code, old.stdout]).toEqual([0, named.stdout]);
    const both = await runMain([...base, '--workers', '3', '--max-workers', '2']);
    expect(both.stderr).toBe('error: <command line>: --workers: expected --max-workers alone (--workers is its old name), found --workers 3 and --max-workers 2\n');
    expect(both.code).toBe(2);
    expect((await runMain(['simulate', '--help'])).stdout).not.toMatch(/--workers/);
  });

  it.each(['config/examples/proof-pipeline.yaml', 'config/examples/data-processing.yaml'])(
    'replays a real run of %s under its own policy within 5% of the real makespan, beside the compared policies',
    async (workload) => {
      const report = join(tmp, `${workload.replace(/\W/g, '_')}.json`);
      const ran = await runCli(['run', workload, '--quiet', '--report', report], { timeoutMs: 30_000 });
      expect(ran.code, ran.stderr).toBe(0);
      const replayed = await runCli(['simulate', '--replay', report, '--compare', 'fifo,priority,critical-path', '--json']);
      expect(replayed.code, replayed.stderr).toBe(0);
      const { policies } = JSON.parse(replayed.stdout) as { policies: ComparisonRow[] };
      const [real, own, ...others] = policies as [ComparisonRow, ComparisonRow, ...ComparisonRow[]];
      const { summary } = JSON.parse(readFileSync(report, 'utf8')) as { summary: { policy: string } };
      expect(real.policy).toBe('real run');
      expect(own.policy).toBe(summary.policy);
      expect(Math.abs(own.makespanMs / real.makespanMs - 1)).toBeLessThanOrEqual(0.05);
      expect(new Set(others.map((row) => row.policy))).toEqual(new Set(['fifo', 'priority', 'critical-path'].filter((p) => p !== own.policy)));
      const svg = join(tmp, `${workload.replace(/\W/g, '_')}.svg`);
      const table = await runMain(['simulate', '--replay', report, '--compare', 'fifo', '--svg', svg]);
      expect(table.stdout).toMatch(new RegExp(`^makespan s +[\\d.]+ +[\\d.]+ +[\\d.]+$`, 'm'));
      expect(table.stdout).toContain(`wrote ${svg}`);
      expect(readFileSync(svg, 'utf8')).toMatch(/^<svg /);
      expect(table.stdout).toMatch(new RegExp(`^metric +real run +${own.policy} +fifo$`, 'm'));
    },
  );

  it('exits 2 naming the file and the field when the replayed report has no trace', async () => {
    const report = join(tmp, 'no-trace.json');
    writeFileSync(report, JSON.stringify({ tasks: [], summary: {} }));
    const { code, stderr } = await runMain(['simulate', '--replay', report]);
    expect(code).toBe(2);
    expect(stderr).toContain(`${report}: replay.trace`);
    expect(stderr).toMatch(/expected a run report written by `xeno-scheduler run --report`/);
    const both = await runMain(['simulate', 'config/examples/simulation-dag.yaml', '--replay', report]);
    expect(both.code).toBe(2);
    expect(both.stderr).toMatch(/<workload>: expected a workload file or --replay <report>, not both/);
    const neither = await runMain(['simulate']);
    expect(neither.code).toBe(2);
    expect(neither.stderr).toMatch(/<workload>: expected a workload file, or --replay <report>, found neither/);
  });

  it('exits 2 naming a recovered task when the replayed report is of a run resumed with --state', async () => {
    const report = join(tmp, 'resumed.json');
    const trace = { policy: 'fifo', maxWorkers: 1, resources: {}, tasks: [], events: [{ time: 5, task: 'lemma', from: 'pending', to: 'running', attempt: 2 }] };
    writeFileSync(report, JSON.stringify({ replay: { trace } }));
    const { code, stderr } = await runMain(['simulate', '--replay', report]);
    expect(code).toBe(2);
    expect(stderr).toContain(`${report}: replay.trace: expected a run report written by \`xeno-scheduler run --report\`, found events of task "lemma", which it never saw scheduled`);
    expect(stderr).toMatch(/replay a run recorded from its start \(without --state, or with --fresh\)/);
  });

  it.each([
    [['simulate', 'config/examples/simulation-dag.yaml', '--compare', 'fifo,fastest'], /expected policy names from priority, fifo, shortest-first, critical-path, fair-share/],
    [['simulate', 'test/fixtures/cli/mixed-outcomes.yaml'], /^ {2}test\/fixtures\/cli\/mixed-outcomes\.yaml: tasks\.hello: expected an `estimate` or a `duration` to simulate \(or --history, to use learned ones\), found neither$/m],
  ])('exits 2 for bad input: %j', async (args, message) => {
    const { code, stderr } = await runMain(args);
    expect(code).toBe(2);
    expect(stderr).toMatch(message);
  });
});

describe('xeno-scheduler simulate, a workload with a race', () => {
  it('simulates a race as its alternatives run at once: the first to finish completes it, its dependents start then', async () => {
    const workload = join(tmp, 'race.yaml');
    writeFileSync(
      workload,
      [
        'tasks:',
        '  lemmas:',
        '    estimate: 1',
        '  goal:',
        '    dependencies: [lemmas]',
        '    race:',
        '      - estimate: 5',
        '      - estimate: 2',
        '  qed:',
        '    estimate: 1',
        '    dependencies: [goal]',
        '',
      ].join('\n'),
    );
    const trace = join(tmp, 'race-trace.json');
    const { code, stdout, stderr } = await runMain(['simulate', workload, '--json', '--trace', trace]);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    const { policies } = JSON.parse(stdout) as { policies: ComparisonRow[] };
    // lemmas (1 s), the faster alternative (2 s), qed (1 s): the slower one is cancelled when it loses.
    expect(policies[0]?.makespanMs).toBe(4000);
    const written = JSON.parse(readFileSync(trace, 'utf8')) as { events: { task: string; to: string; time: number }[] };
    const ends = written.events.filter((e) => e.to !== 'running' && e.to !== 'pending').map((e) => [e.task, e.to, e.time]);
    expect(ends).toEqual(expect.arrayContaining([['goal/1', 'completed', 3000], ['goal', 'completed', 3000], ['goal/0', 'cancelled', 3000], ['qed', 'completed', 4000]]));
  });

  it('names the alternative that has neither estimate nor duration, not the race', async () => {
    const workload = join(tmp, 'race-untimed.yaml');
    writeFileSync(workload, ['tasks:', '  goal:', '    race:', '      - estimate: 5', '      - command: z3', ''].join('\n'));
    const { code, stderr } = await runMain(['simulate', workload]);
    expect(code).toBe(2);
    expect(stderr).toContain(`${workload}: tasks.goal/1: expected an \`estimate\` or a \`duration\` to simulate`);
    expect(stderr).not.toContain('tasks.goal:');
  });
});
