import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import type { RunReport } from '../../src/cli/buildRunReport.js';
import { UsageStats } from '../../src/estimates/UsageStats.js';
import { sqliteHistory } from '../../src/stores/sqlite/sqliteHistory.js';
import { useTempFolder } from '../support/tempStore.js';
import { runMain } from './runMain.js';

const temp = useTempFolder();
const MiB = 2 ** 20;

/** Two commands, one holding 120 MiB; `memory` is what the holder declares. */
function writeWorkload(folder: string, memory: string): string {
  const file = join(folder, 'w.yaml');
  writeFileSync(
    file,
    `config:
  scheduler:
    resource_scheduler: { memory_gb: 2 }
tasks:
  holder:
    type: hold
    resources: { memory: ${memory} }
    command: python3 -c "b = b'x' * (120 * 2 ** 20); import time; time.sleep(0.3)"
  quick:
    type: hold
    estimate: auto
    command: sleep 0.1
`,
  );
  return file;
}

async function run(args: string[]): Promise<RunReport> {
  const result = await runMain(['run', ...args, '--json', '-q']);
  expect(result.stderr).toBe('');
  return JSON.parse(result.stdout) as RunReport;
}

interface HistoryTask {
  name: string;
  runs: number;
  durationMs: { p50: number; p90: number };
  peakRssBytes: { p50: number; p90: number } | null;
  recommended: { estimateMs?: number; memory?: number; cpu?: number };
}

describe('run --history: learned estimates', () => {
  it('measures each attempt into --json, learns it in the history, plans the next run with it, and recommends requests as YAML', async () => {
    const history = join(temp.folder, 'h.db');
    const workload = writeWorkload(temp.folder, '1');

    const first = await run([workload, '--history', history]);
    const holder = first.tasks.find((task) => task.name === 'holder')!;
    expect(holder.usage).toMatchObject({ measuredBy: 'proc' });
    expect(holder.usage!.peakRssBytes! / MiB).toBeGreaterThanOrEqual(120);
    // Nothing known yet: `estimate: auto` falls back to the documented default.
    expect(first.tasks.find((task) => task.name === 'quick')).toMatchObject({ estimateMs: 10_000, estimateSource: 'default' });

    const second = await run([workload, '--history', history]);
    const quick = second.tasks.find((task) => task.name === 'quick')!;
    expect(quick.estimateSource).toBe('task');
    expect(quick.estimateMs).toBeGreaterThan(50);
    expect(quick.estimateMs).toBeLessThan(2000);

    const shown = await runMain(['history', history, '--json']);
    expect(shown.code).toBe(0);
    const tasks = (JSON.parse(shown.stdout) as { tasks: HistoryTask[] }).tasks;
    expect(tasks.map((task) => [task.name, task.runs])).toEqual([
      ['holder', 2],
      ['quick', 2],
    ]);
    const learned = tasks[0]!;
    expect(learned.durationMs.p50).toBeGreaterThanOrEqual(300);
    expect(learned.peakRssBytes!.p90 / MiB).toBeGreaterThanOrEqual(120);
    // p90 of ≈130 MiB peak plus 15%, in GiB: far below the 1 GiB declared.
    expect(learned.recommended.memory).toBeGreaterThan(0.1);
    expect(learned.recommended.memory).toBeLessThan(0.3);

    const text = await runMain(['history', history]);
    expect(text.stdout).toContain('Learned estimates');
    expect(text.stdout).toMatch(/holder\s+hold\s+2\s+\d+\.\d\ds \/ \d+\.\d\ds\s+1\d\d MiB \/ 1\d\d MiB/);

    const recommended = await runMain(['history', history, '--recommend']);
    expect(recommended.stdout).toMatch(/^# Requests learned in/);
    const fragment = parse(recommended.stdout) as { tasks: Record<string, { estimate?: number; resources?: Record<string, number> }> };
    expect(fragment.tasks['holder']?.resources?.['memory']).toBe(learned.recommended.memory);
    expect(fragment.tasks['quick']?.estimate).toBeGreaterThan(0);

    // memory: auto asks for the recommendation, bounded by the pool.
    writeWorkload(temp.folder, 'auto');
    const third = await run([workload, '--history', history]);
    expect(third.tasks.find((task) => task.name === 'holder')?.status).toBe('completed');
  });

  it('simulate --history plans with what a history learned, runs a task with no duration for its learned estimate, and writes nothing to it', async () => {
    const history = join(temp.folder, 'h.db');
    const learnedFrom = join(temp.folder, 'learn.yaml');
    writeFileSync(learnedFrom, 'tasks:\n  slow:\n    command: sleep 0.4\n  fast:\n    command: sleep 0.05\n');
    await run([learnedFrom, '--history', history]);
    const before = (await runMain(['history', history, '--json'])).stdout;
    // The same tasks without estimates or durations: only the history times them.
    const plan = join(temp.folder, 'plan.yaml');
    writeFileSync(plan, 'tasks:\n  slow:\n    command: sleep 0.4\n  fast:\n    command: sleep 0.05\n');
    const refused = await runMain(['simulate', plan]);
    expect(refused.stderr).toMatch(/an `estimate` or a `duration` to simulate \(or --history/);
    const simulated = await runMain(['simulate', plan, '--history', history, '--json', '--max-workers', '1']);
    expect(simulated.code).toBe(0);
    const makespanMs = (JSON.parse(simulated.stdout) as { policies: { makespanMs: number }[] }).policies[0]!.makespanMs;
    expect(makespanMs).toBeGreaterThan(400);
    expect(makespanMs).toBeLessThan(3000);
    expect((await runMain(['history', history, '--json'])).stdout).toBe(before);
  });

  it('history --prune --older-than removes the learned usage of tasks not run since, and keeps the rest', async () => {
    const file = join(temp.folder, 'old.db');
    const history = sqliteHistory(file);
    const day = 86_400_000;
    const row = (name: string, daysAgo: number) => ({ kind: 'task' as const, key: `${name}\u0000`, name, type: 't', runs: '', stats: new UsageStats().toJSON(), updatedAt: Date.now() - daysAgo * day });
    history.usage.put(row('old', 40));
    history.usage.put(row('recent', 1));
    history.close();
    const pruned = await runMain(['history', file, '--prune', '--older-than', '30d', '--json']);
    expect(JSON.parse(pruned.stdout).pruned.usage).toEqual({ rows: 1 });
    expect((JSON.parse(pruned.stdout) as { tasks: { name: string }[] }).tasks.map((task) => task.name)).toEqual(['recent']);
  });

  it('refuses auto for a pool other than memory and cpu, naming the task and the field', async () => {
    const file = join(temp.folder, 'bad.yaml');
    writeFileSync(file, 'tasks:\n  a:\n    resources: { disk: auto }\n    command: "true"\n');
    const result = await runMain(['run', file, '-q']);
    expect(result.code).not.toBe(0);
    expect(result.stderr).toMatch(/tasks\.a\.resources\.disk.*auto is learned only for memory and cpu/s);
  });
});
