import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { RunReport } from '../../src/cli/buildRunReport.js';
import { runMain } from './runMain.js';

const tmp = mkdtempSync(join(tmpdir(), 'xeno-cli-dynamic-'));

describe.concurrent('dynamic work from the CLI', () => {
  it('runs the children a command wrote to XENO_SPAWN_FILE before its dependents, and a race\'s winner; the summary lists children under their parent', async () => {
    const report = join(tmp, 'spawn.json');
    const { code, stdout } = await runMain(['run', 'test/fixtures/dynamic/spawn.yaml', '--report', report]);
    expect(code).toBe(0);
    const table = stdout.slice(stdout.indexOf('\ntask '));
    expect(table).toMatch(/\nsplit +completed[^\n]*\n {2}lemma-1 +completed[^\n]*\n {2}lemma-2 +completed[^\n]*\nqed +completed/);
    expect(table).toMatch(/\ngoal +completed[^\n]*\n {2}goal\/0 +cancelled[^\n]*\n {2}goal\/1 +completed/);
    const { tasks } = JSON.parse(readFileSync(report, 'utf8')) as RunReport;
    const byName = new Map(tasks.map((task) => [task.name, task]));
    expect(byName.get('lemma-2')).toMatchObject({ status: 'completed', parent: 'split', output: 'proved 2' });
    expect(byName.get('goal/0')).toMatchObject({ status: 'cancelled', parent: 'goal' });
    // The slow prover (sleep 5) was killed: the run did not wait for it.
    expect(byName.get('goal/0')?.durationMs).toBeLessThan(4000);
    // qed depends on split, which completed only after its children: qed ran last of them.
    expect(stdout.indexOf('started    qed')).toBeGreaterThan(stdout.indexOf('completed  lemma-2'));
  });

  it('exits 0 when a race is won while a losing alternative waits for the children it spawned: they are cancelled with it and fail nothing', async () => {
    const workload = join(tmp, 'loser-spawned.yaml');
    writeFileSync(workload, [
      'tasks:',
      '  goal:',
      '    race:',
      `      - command: ${JSON.stringify("printf 'sub:\\n  command: sleep 5\\n' > \"$XENO_SPAWN_FILE\"")}`,
      '      - command: sleep 0.5; echo fast',
      '',
    ].join('\n'));
    const { code, stdout } = await runMain(['run', workload]);
    expect(stdout).toMatch(/\n {4}sub +cancelled/);
    expect(stdout).toMatch(/\ngoal +completed/);
    expect(code).toBe(0);
  });

  it('fails the parent at once (its retries unused), naming the file, the field and the line, when the children it wrote are invalid, and runs none of them', async () => {
    const { code, stdout } = await runMain(['run', 'test/fixtures/dynamic/bad-spawn.yaml']);
    expect(code).toBe(1);
    // `retries: 3`, yet one attempt: the same file would be refused again.
    expect(stdout).toMatch(/\nsplit +failed +1 /);
    expect(stdout).toMatch(/split failed: XENO_SPAWN_FILE of task "split":2: lemma-1\.comand: expected one of the keys [^\n]*found unknown key "comand" \(did you mean "command"\?\)/);
    expect(stdout).not.toMatch(/lemma-1 +(completed|failed|cancelled)/);
  });

  it('fails the parent when a child it wrote depends on a task that waits for it', async () => {
    const file = join(tmp, 'cycle.yaml');
    writeFileSync(
      file,
      ['tasks:', '  split:', '    retries: 0', '    command: |', `      printf 'child:\\n  command: echo c\\n  dependencies: [after]\\n' > "$XENO_SPAWN_FILE"`, '  after:', '    command: echo after', '    dependencies: [split]', ''].join('\n'),
    );
    const { code, stdout } = await runMain(['run', file]);
    expect(code).toBe(1);
    expect(stdout).toContain('split failed: child "child" of "split" cannot depend on "after": "after" waits for "split", which waits for its children (a cycle through the parent)');
  });

  it('validate shows a race and its alternatives', async () => {
    const { code, stdout } = await runMain(['validate', 'test/fixtures/dynamic/spawn.yaml']);
    expect(code).toBe(0);
    expect(stdout).toMatch(/ 0 +goal +normal +- +- +race of 2: the first to complete wins\n +goal\/0 +normal +- +- +command\n +goal\/1 +normal/);
  });

  it('refuses a race with one alternative, or with a command of its own, naming the field', async () => {
    const file = join(tmp, 'bad-race.yaml');
    writeFileSync(file, ['tasks:', '  one:', '    race:', '      - command: echo a', '  both:', '    command: echo own', '    race:', '      - command: echo a', '      - command: echo b', ''].join('\n'));
    const { code, stderr } = await runMain(['validate', file]);
    expect(code).toBe(2);
    expect(stderr).toMatch(/:3: tasks\.one\.race: expected [^\n]*at least 2/i);
    expect(stderr).toMatch(/:6: tasks\.both\.command: expected nothing beside race: a race runs only its alternatives, found command/);
  });
});
