import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { sqliteHistory } from '../../src/stores/sqlite/sqliteHistory.js';
import { useTempFolder } from '../support/tempStore.js';
import { runMain } from './runMain.js';

const temp = useTempFolder();
const DAY = 86_400_000;

/** A history with entries last used `ages` days ago, each with a 1 kB output of its own. */
function historyWith(file: string, ages: Record<string, number>): void {
  const history = sqliteHistory(file);
  for (const [task, days] of Object.entries(ages)) {
    const content = Buffer.from(task.repeat(1000).slice(0, 1000));
    const hash = createHash('sha256').update(content).digest('hex');
    history.cache.put({
      key: `key-of-${task}`,
      task,
      type: 'proof',
      result: { stdout: `${task}\n` },
      outputs: [{ path: `${task}.out`, hash, size: 1000, mode: 0o644 }],
      contents: new Map([[hash, content]]),
      at: Date.now() - days * DAY,
      parts: { task },
    });
  }
  history.close();
}

describe('xeno-scheduler history', () => {
  it('lists the cached results: task, key, size and when each was last used', async () => {
    const file = temp.path('h.db');
    historyWith(file, { lemma_a: 0, lemma_b: 3 });
    const { code, stdout } = await runMain(['history', file]);
    expect(code).toBe(0);
    expect(stdout).toMatch(/lemma_a\s+proof\s+key-of-lemma\s+1\s+1 kB\s+0s ago/);
    expect(stdout).toMatch(/lemma_b\s+proof\s+key-of-lemma\s+1\s+1 kB\s+3d ago/);
    expect(stdout).toContain('2 cached results, 2 distinct output contents');
  });

  it('prints one JSON document with --json', async () => {
    const file = temp.path('h.db');
    historyWith(file, { lemma_a: 0 });
    const { stdout } = await runMain(['history', file, '--json']);
    const document = JSON.parse(stdout) as { cache: { entries: number; list: { task: string; key: string; bytes: number }[] } };
    expect(document.cache.entries).toBe(1);
    expect(document.cache.list[0]).toMatchObject({ task: 'lemma_a', key: 'key-of-lemma_a', bytes: 1000 + Buffer.byteLength('{"stdout":"lemma_a\\n"}') });
  });

  it('prunes entries older than an age, then by size keeping the newest', async () => {
    const file = temp.path('h.db');
    historyWith(file, { old: 40, older: 50, recent: 2, newest: 0 });
    const byAge = await runMain(['history', file, '--prune', '--older-than', '30d', '--json']);
    expect(JSON.parse(byAge.stdout).pruned.cache.entries).toBe(2);
    const bySize = await runMain(['history', file, '--prune', '--max-size', '1.1kB']);
    expect(bySize.stdout).toContain('pruned 1 cached result and 1 output content');
    const left = await runMain(['history', file, '--json']);
    expect(JSON.parse(left.stdout).cache.list.map((entry: { task: string }) => entry.task)).toEqual(['newest']);
  });

  it('refuses --prune without a limit, a limit without --prune, and a file that does not exist', async () => {
    const file = temp.path('h.db');
    historyWith(file, { a: 0 });
    expect(await runMain(['history', file, '--prune'])).toMatchObject({ code: 2, stderr: expect.stringContaining('--prune: expected --older-than <age> or --max-size <size>') });
    expect(await runMain(['history', file, '--older-than', '3d'])).toMatchObject({ code: 2, stderr: expect.stringContaining('expected beside --prune') });
    expect(await runMain(['history', file, '--prune', '--older-than', 'soon'])).toMatchObject({ code: 2, stderr: expect.stringContaining('expected an age such as 30d') });
    const missing = temp.path('missing.db');
    expect(await runMain(['history', missing])).toMatchObject({ code: 2, stderr: `error: history "${missing}": does not exist\n` });
    expect(existsSync(missing)).toBe(false);
  });
});
