import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { sqliteStore } from '../../src/stores/sqlite/sqliteStore.js';
import { useSmallDisks } from '../support/smallDisk.js';
import { useTempFolder } from '../support/tempStore.js';
import { runMain } from './runMain.js';

const temp = useTempFolder();
const disks = useSmallDisks();

/** A workload of `count` tasks, each appending its name to `log`. */
function writeWorkload(count: number, log: string): string {
  const file = temp.path('w.yaml');
  const tasks = Array.from({ length: count }, (_, i) => `  t${i}:\n    command: echo t${i} >> "${log}"\n`).join('');
  writeFileSync(file, `config:\n  scheduler:\n    type: task\n    task_scheduler:\n      max_workers: 8\ntasks:\n${tasks}`);
  return file;
}

describe('run --state on a disk that fills up', () => {
  it('exits 1 naming SQLITE_FULL with what the store holds, and the same command resumes once there is room', async () => {
    const disk = disks.mount(temp.path('disk'), '256k');
    const log = temp.path('log.txt');
    const workload = writeWorkload(300, log);
    const state = join(disk.folder, 'run.db');

    const full = await runMain(['run', workload, '--state', state, '-q']);
    expect(full.code).toBe(1);
    expect(full.stderr).toMatch(/^error: TaskStoreError: task store ".*run\.db": writing failed \(SQLITE_FULL\): database or disk is full$/m);
    // Never the rollback's error in place of the write's, never a summary of runs the store does not hold.
    expect(full.stderr).not.toContain('cannot rollback');
    expect(full.stdout).not.toMatch(/300 completed/);
    const durable = /holds 300 tasks: (\d+) completed, 0 failed, 0 cancelled, (\d+) not finished/.exec(full.stdout);
    expect(durable, full.stdout).not.toBeNull();
    const [completedBefore, unfinished] = [Number(durable?.[1]), Number(durable?.[2])];
    expect(completedBefore + unfinished).toBe(300);
    expect(unfinished).toBeGreaterThan(0);
    expect(full.stdout).toContain('free disk space, then run the same command again to resume');

    disk.grow('16m');
    // What the summary said is what the file holds.
    const reader = sqliteStore(state, { readOnly: true });
    const stored = reader.load();
    reader.close();
    const completedIds = stored.filter((task) => task.status === 'completed').map((task) => task.task.id);
    expect(completedIds).toHaveLength(completedBefore);

    const resumed = await runMain(['run', workload, '--state', state, '-q']);
    expect(resumed.stderr).toBe('');
    expect(resumed.code).toBe(0);
    const ran = readFileSync(log, 'utf8').trim().split('\n');
    // Every task ran; none that the store held as completed ran again.
    expect(new Set(ran).size).toBe(300);
    for (const id of completedIds) expect(ran.filter((line) => line === id), id).toHaveLength(1);
  });
});
