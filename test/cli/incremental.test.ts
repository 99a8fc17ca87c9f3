import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { RunReport } from '../../src/cli/buildRunReport.js';
import { replayOf, type ReplayableReport } from '../../src/simulate/replayOf.js';
import { useTempFolder } from '../support/tempStore.js';
import { runMain } from './runMain.js';

const temp = useTempFolder();

/**
 * A workload in `folder`: two chapters, each counted from its input file into out/, and a book
 * that joins the counts. Commands cd into the folder (the CLI runs them where it runs).
 */
function writeWorkload(folder: string, { countWith = 'wc -l', title = 'Proofs' } = {}): string {
  mkdirSync(join(folder, 'inputs'), { recursive: true });
  const file = join(folder, 'book.yaml');
  writeFileSync(
    file,
    `tasks:
  chapter1:
    estimate: 2
    inputs: [inputs/c1.txt]
    outputs: [out/c1.count]
    command: cd '${folder}' && mkdir -p out && ${countWith} < inputs/c1.txt > out/c1.count && echo counted c1
  chapter2:
    estimate: 2
    inputs: [inputs/c2.txt]
    outputs: [out/c2.count]
    command: cd '${folder}' && mkdir -p out && ${countWith} < inputs/c2.txt > out/c2.count && echo counted c2
  book:
    estimate: 1
    dependencies: [chapter1, chapter2]
    inputs: ['out/*.count']
    outputs: [out/book.txt]
    config: { title: ${title} }
    command: cd '${folder}' && cat out/c1.count out/c2.count > out/book.txt && echo "$XENO_CONFIG_TITLE" >> out/book.txt && echo book done
`,
  );
  return file;
}

async function run(args: string[]): Promise<RunReport> {
  const result = await runMain(['run', ...args, '--json', '-q']);
  expect(result.stderr).toBe('');
  return JSON.parse(result.stdout) as RunReport;
}

/** Each task's name and whether it was cached or why it ran. */
const decisions = (report: RunReport): Record<string, string> =>
  Object.fromEntries(report.tasks.map((task) => [task.name, task.cached === true ? 'cached' : `ran: ${task.ranBecause ?? '?'}`]));

describe('run --history', () => {
  it('reruns exactly what changed: nothing when unchanged, an input, a command, a config value; deleted outputs come back without a run', async () => {
    const folder = temp.folder;
    const history = join(folder, 'h.db');
    const workload = writeWorkload(folder);
    writeFileSync(join(folder, 'inputs', 'c1.txt'), 'a\nb\n');
    writeFileSync(join(folder, 'inputs', 'c2.txt'), 'c\n');

    const first = await run([workload, '--history', history]);
    expect(decisions(first)).toEqual({ chapter1: 'ran: no entry', chapter2: 'ran: no entry', book: 'ran: no entry' });
    const book = readFileSync(join(folder, 'out', 'book.txt'), 'utf8');

    const unchanged = await run([workload, '--history', history]);
    expect(decisions(unchanged)).toEqual({ chapter1: 'cached', chapter2: 'cached', book: 'cached' });
    expect(unchanged.summary).toMatchObject({ completed: 3, cached: 3 });
    expect(unchanged.tasks.map((task) => task.attempts)).toEqual([0, 0, 0]);
    expect(unchanged.tasks[2]?.output).toBe('book done');

    writeFileSync(join(folder, 'inputs', 'c1.txt'), 'a\nb\nc\n');
    const input = await run([workload, '--history', history]);
    expect(decisions(input)).toEqual({ chapter1: 'ran: inputs/c1.txt changed', chapter2: 'cached', book: 'ran: out/c1.count changed' });

    writeWorkload(folder, { countWith: 'wc -c' });
    const command = await run([workload, '--history', history]);
    expect(decisions(command)).toEqual({ chapter1: 'ran: command changed', chapter2: 'ran: command changed', book: 'ran: out/c1.count changed, out/c2.count changed' });

    writeWorkload(folder, { countWith: 'wc -c', title: 'Lemmas' });
    const config = await run([workload, '--history', history]);
    expect(decisions(config)).toEqual({ chapter1: 'cached', chapter2: 'cached', book: 'ran: config changed' });
    expect(readFileSync(join(folder, 'out', 'book.txt'), 'utf8')).toContain('Lemmas');

    const expected = readFileSync(join(folder, 'out', 'book.txt'));
    rmSync(join(folder, 'out'), { recursive: true });
    const deleted = await run([workload, '--history', history]);
    expect(decisions(deleted)).toEqual({ chapter1: 'cached', chapter2: 'cached', book: 'cached' });
    expect(readFileSync(join(folder, 'out', 'book.txt')).equals(expected)).toBe(true);
    expect(book).not.toBe(expected.toString());
  });

  it('says cached in the summary and why each task ran', async () => {
    const folder = temp.folder;
    const history = join(folder, 'h.db');
    const workload = writeWorkload(folder);
    writeFileSync(join(folder, 'inputs', 'c1.txt'), 'a\n');
    writeFileSync(join(folder, 'inputs', 'c2.txt'), 'b\n');
    const first = await runMain(['run', workload, '--history', history]);
    expect(first.stdout).toMatch(/started\s+chapter1: no entry/);
    const second = await runMain(['run', workload, '--history', history]);
    expect(second.stdout).toMatch(/completed\s+book cached, not run: book done/);
    expect(second.stdout).toContain('3 tasks: 3 completed (3 cached), 0 failed, 0 cancelled');
  });

  it('keeps the history apart from --state: --fresh discards the run, never the history; status says which tasks were cached', async () => {
    const folder = temp.folder;
    const workload = writeWorkload(folder);
    writeFileSync(join(folder, 'inputs', 'c1.txt'), 'a\n');
    writeFileSync(join(folder, 'inputs', 'c2.txt'), 'b\n');
    const history = join(folder, 'h.db');
    const state = join(folder, 'run.db');
    await run([workload, '--history', history, '--state', state]);
    const fresh = await run([workload, '--history', history, '--state', state, '--fresh']);
    expect(decisions(fresh)).toEqual({ chapter1: 'cached', chapter2: 'cached', book: 'cached' });
    const status = await runMain(['status', state]);
    expect(status.stdout).toMatch(/book\s+completed\s+0\s+cached: completed from the history, not run/);
  });

  it('takes the history from XENO_HISTORY and from scheduler.history, the flag first', async () => {
    const folder = temp.folder;
    const workload = writeWorkload(folder);
    writeFileSync(join(folder, 'inputs', 'c1.txt'), 'a\n');
    writeFileSync(join(folder, 'inputs', 'c2.txt'), 'b\n');
    const fromConfig = join(folder, 'config.db');
    writeFileSync(workload, `config:\n  scheduler:\n    history: ${fromConfig}\n${readFileSync(workload, 'utf8')}`);
    await run([workload]);
    expect(decisions(await run([workload]))).toMatchObject({ book: 'cached' });
    const fromEnv = join(folder, 'env.db');
    process.env.XENO_HISTORY = fromEnv;
    try {
      expect(decisions(await run([workload]))).toMatchObject({ book: 'ran: no entry' });
      expect(decisions(await run([workload]))).toMatchObject({ book: 'cached' });
      expect(decisions(await run([workload, '--history', join(folder, 'flag.db')]))).toMatchObject({ book: 'ran: no entry' });
    } finally {
      delete process.env.XENO_HISTORY;
    }
  });

  it('runs the proof-pipeline example from its history the second time: every task cached, nothing run', async () => {
    const history = join(temp.folder, 'h.db');
    const first = await run(['config/examples/proof-pipeline.yaml', '--history', history]);
    expect(first.summary).toMatchObject({ total: 15, completed: 15, cached: 0 });
    const second = await run(['config/examples/proof-pipeline.yaml', '--history', history]);
    expect(second.summary).toMatchObject({ total: 15, completed: 15, cached: 15 });
    expect(second.tasks.find((task) => task.name === 'theorem_am_gm')?.output).toBe('theorem am_gm verified');
  }, 60_000);

  it('replays a run whose tasks came from the history with no time for them', async () => {
    const folder = temp.folder;
    const workload = writeWorkload(folder);
    writeFileSync(join(folder, 'inputs', 'c1.txt'), 'a\n');
    writeFileSync(join(folder, 'inputs', 'c2.txt'), 'b\n');
    const history = join(folder, 'h.db');
    await run([workload, '--history', history]);
    const report = join(folder, 'report.json');
    await run([workload, '--history', history, '--report', report]);
    const replay = replayOf(JSON.parse(readFileSync(report, 'utf8')) as ReplayableReport);
    expect(replay.tasks.map((task) => [task.name, task.attempts])).toEqual([
      ['chapter1', [{ durationMs: 0, outcome: 'completed' }]],
      ['chapter2', [{ durationMs: 0, outcome: 'completed' }]],
      ['book', [{ durationMs: 0, outcome: 'completed' }]],
    ]);
  });

  it('refuses a garbage history by name before anything runs, and leaves it as it was', async () => {
    const folder = temp.folder;
    const workload = writeWorkload(folder);
    const history = join(folder, 'h.db');
    const garbage = Buffer.from('not a history, just some bytes that are long enough to have a header '.repeat(3));
    writeFileSync(history, garbage);
    const result = await runMain(['run', workload, '--history', history]);
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(`error: history "${history}": is not an SQLite database (garbage, or a file of another kind); it was left as it is\n`);
    expect(readFileSync(history).equals(garbage)).toBe(true);
    const same = await runMain(['run', workload, '--history', join(folder, 's.db'), '--state', join(folder, 's.db')]);
    expect(same).toMatchObject({ code: 2, stderr: expect.stringContaining('a file other than the --state file') });
  });
});
