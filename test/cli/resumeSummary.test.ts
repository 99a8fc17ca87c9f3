import { readFileSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { sqliteStore } from '../../src/stores/sqlite/sqliteStore.js';
import { useTempFolder } from '../support/tempStore.js';
import { runMain } from './runMain.js';

const temp = useTempFolder();

/** One more task than the scheduler keeps finished records of by default (10,000), plus one that fails. */
const DONE = 10_100;

function writeBigWorkload(): string {
  writeFileSync(temp.path('noop.mjs'), 'export function run() { return 1; }\n');
  const tasks = Array.from({ length: DONE }, (_, i) => `  t${i}: { module: ./noop.mjs, export: run }\n`).join('');
  const file = temp.path('big.yaml');
  writeFileSync(file, `config:\n  scheduler:\n    task_scheduler:\n      retry_attempts: 0\ntasks:\n  broken:\n    command: exit 3\n${tasks}`);
  return file;
}

describe('xeno-scheduler run --state, resumed past the finished records the scheduler keeps', () => {
  it('says how the whole stored run went, in the summary, --json, --report and the exit code', async () => {
    const workload = writeBigWorkload();
    const state = temp.path('run.db');
    const first = await runMain(['run', workload, '--state', state, '-q']);
    expect(first.code).toBe(1);
    expect(first.stdout).toMatch(/^10101 tasks: 10100 completed, 1 failed, 0 cancelled in /m);

    const again = await runMain(['run', workload, '--state', state, '-q']);
    expect(again.stdout).toContain(`resumed ${state}: 10101 tasks had finished (10100 completed, 1 failed, 0 cancelled; not run again)`);
    // Nothing is left to run: it says so with the store's counts (not the 10,000 records kept in
    // memory), and exits as the stored run ended.
    expect(again.stdout).toContain(`the run stored in ${state} is finished: 10101 tasks (10100 completed, 1 failed, 0 cancelled)`);
    expect(again.code).toBe(1);

    const report = temp.path('report.json');
    const json = await runMain(['run', workload, '--state', state, '--json', '--report', report]);
    expect(json.code).toBe(1);
    for (const text of [json.stdout, readFileSync(report, 'utf8')]) {
      const { summary, tasks } = JSON.parse(text) as { summary: Record<string, unknown>; tasks: { name: string; status: string }[] };
      expect(summary).toMatchObject({ total: 10_101, completed: 10_100, failed: 1, cancelled: 0, unfinished: 0, exitCode: 1 });
      expect(tasks).toHaveLength(10_101);
      expect(tasks.find((task) => task.name === 'broken')).toMatchObject({ status: 'failed', error: 'command "exit 3" exited with code 3' });
    }
  }, 60_000);

  it('does not call a store that holds no task a resumed run', async () => {
    writeFileSync(temp.path('one.yaml'), 'tasks:\n  a:\n    command: "true"\n');
    const state = temp.path('empty.db');
    sqliteStore(state).close();
    const run = await runMain(['run', temp.path('one.yaml'), '--state', state, '-q']);
    expect(run.code).toBe(0);
    expect(run.stdout).not.toContain('resumed');
    expect(run.stdout).toMatch(/^1 task: 1 completed, 0 failed, 0 cancelled in /m);
  });
});
