import { closeSync, mkdirSync, openSync, readFileSync, rmSync, statSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { RunReport } from '../../src/cli/buildRunReport.js';
import { openDatabase } from '../../src/stores/sqlite/openDatabase.js';
import { sqliteHistory } from '../../src/stores/sqlite/sqliteHistory.js';
import { runMain } from '../cli/runMain.js';
import { holdHistory } from '../support/holdInChild.js';
import { useTempFolder } from '../support/tempStore.js';

const temp = useTempFolder();

/** One task that copies its input to out/copy.txt. */
function writeWorkload(folder: string): string {
  mkdirSync(join(folder, 'inputs'), { recursive: true });
  writeFileSync(join(folder, 'inputs', 'a.txt'), 'alpha\n'.repeat(2000));
  const file = join(folder, 'copy.yaml');
  writeFileSync(file, `tasks:\n  copy:\n    inputs: [inputs/a.txt]\n    outputs: [out/copy.txt]\n    command: cd '${folder}' && mkdir -p out && cp inputs/a.txt out/copy.txt && echo copied\n`);
  return file;
}

async function run(workload: string, history: string): Promise<RunReport['tasks'][number]> {
  const result = await runMain(['run', workload, '--history', history, '--json', '-q']);
  expect(result.code).toBe(0);
  return (JSON.parse(result.stdout) as RunReport).tasks[0] as RunReport['tasks'][number];
}

describe('a history that cannot be used', () => {
  it('refuses a history another run holds, naming it, runs nothing, and loses nothing of it', async () => {
    const folder = temp.folder;
    const workload = writeWorkload(folder);
    const history = join(folder, 'h.db');
    await run(workload, history);
    rmSync(join(folder, 'out'), { recursive: true });
    const holder = await holdHistory(history);
    try {
      const refused = await runMain(['run', workload, '--history', history]);
      expect(refused.code).toBe(2);
      expect(refused.stderr).toBe(`error: history "${history}": is in use by another run (another process holds it for writing); wait for it to end, or give this run another --history file\n`);
      expect(statSync(join(folder, 'out'), { throwIfNoEntry: false })).toBeUndefined();
    } finally {
      await holder.exit();
    }
    expect(await run(workload, history)).toMatchObject({ cached: true });
  });

  it('refuses a damaged history by name and leaves it as it was', async () => {
    const folder = temp.folder;
    const workload = writeWorkload(folder);
    const history = join(folder, 'h.db');
    await run(workload, history);
    // Damage the pages after the schema (the output's content lives there), keeping the header.
    const fd = openSync(history, 'r+');
    writeSync(fd, Buffer.alloc(4096, 0xa5), 0, 4096, 4096 * 2);
    closeSync(fd);
    const damaged = readFileSync(history);
    const refused = await runMain(['run', workload, '--history', history]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(new RegExp(`^error: history "${history.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}": is damaged \\(.+\\); it was left as it is\\n$`));
    expect(readFileSync(history).equals(damaged)).toBe(true);
  });

  it('runs a task whose stored output content is gone, says why, and stores it again: nothing is lost', async () => {
    const folder = temp.folder;
    const workload = writeWorkload(folder);
    const history = join(folder, 'h.db');
    await run(workload, history);
    const db = openDatabase(history);
    db.exec('DELETE FROM cache_contents');
    db.close();
    rmSync(join(folder, 'out'), { recursive: true });
    const again = await run(workload, history);
    expect(again.cached).toBeUndefined();
    expect(again.ranBecause).toMatch(/^its cached outputs could not be restored: the history has no content for output "out\/copy.txt" \(sha256 [0-9a-f]{12}…\)$/);
    expect(readFileSync(join(folder, 'out', 'copy.txt'), 'utf8')).toBe('alpha\n'.repeat(2000));
    rmSync(join(folder, 'out'), { recursive: true });
    expect(await run(workload, history)).toMatchObject({ cached: true });
    expect(readFileSync(join(folder, 'out', 'copy.txt'), 'utf8')).toBe('alpha\n'.repeat(2000));
    const check = sqliteHistory(history);
    expect(check.cache.totals()).toMatchObject({ entries: 1, contents: 1 });
    check.close();
  });

  it('writes no output the task does not declare: an entry edited to name another path makes the task run', async () => {
    const folder = temp.folder;
    const workload = writeWorkload(folder);
    const history = join(folder, 'h.db');
    await run(workload, history);
    const db = openDatabase(history);
    db.exec("UPDATE cache_outputs SET path = '../escaped.txt'");
    db.close();
    const again = await run(workload, history);
    expect(again.ranBecause).toBe('its cached outputs could not be restored: output "../escaped.txt" of the entry is not among the task\'s declared outputs');
    expect(statSync(join(folder, '..', 'escaped.txt'), { throwIfNoEntry: false })).toBeUndefined();
  });
});
