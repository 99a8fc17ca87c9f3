import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/stores/sqlite/openDatabase.js';
import { useTempFolder } from '../support/tempStore.js';
import { killCliWhen } from './runCli.js';
import { runMain } from './runMain.js';

const temp = useTempFolder();

const logLines = (log: string): string[] => (existsSync(log) ? readFileSync(log, 'utf8').trim().split('\n').filter((line) => line !== '') : []);

/** Ends the process groups of the commands a killed CLI left behind (their shells logged `<name> started <pid>`). */
function killOrphans(log: string): void {
  for (const line of logLines(log)) {
    const pid = Number(line.match(/ started (\d+)$/)?.[1]);
    if (!Number.isInteger(pid)) continue;
    try {
      process.kill(-pid, 'SIGKILL');
    } catch {
      // gone already
    }
  }
}

/** A command that logs its start (with its process group), sleeps 30 s unless `hurry` exists, then logs its end. */
const sleeper = (name: string, log: string, hurry: string): string => `echo "${name} started $$" >> "${log}"; test -e "${hurry}" || sleep 30; echo "${name} done" >> "${log}"`;

/** A workload file of `tasks` (YAML, indented under `tasks:`) run on `maxWorkers` workers. */
function writeWorkload(maxWorkers: number, tasks: string): string {
  const file = temp.path('w.yaml');
  writeFileSync(file, `config:\n  scheduler:\n    task_scheduler:\n      max_workers: ${maxWorkers}\ntasks:\n${tasks}`);
  return file;
}

describe('xeno-scheduler run --state with dynamic work, killed and resumed', () => {
  /**
   * A run whose `split` writes `children(log, hurry)` to XENO_SPAWN_FILE (by default three sleeping
   * children), SIGKILLed once two commands have started (two workers: the third has not).
   */
  async function killWhileChildrenRun(
    children = (log: string, hurry: string): string =>
      ['lemma-1', 'lemma-2', 'lemma-3'].map((name) => `${name}:\n  command: ${JSON.stringify(sleeper(name, log, hurry))}\n  config: { goal: ${name.slice(-1)} }\n`).join(''),
  ): Promise<{ log: string; hurry: string; workload: string; state: string }> {
    const log = temp.path('log.txt');
    const hurry = temp.path('hurry');
    const spawnFile = temp.path('children.yaml');
    writeFileSync(spawnFile, children(log, hurry));
    const workload = writeWorkload(2, `  split:
    command: echo split >> "${log}"; cp "${spawnFile}" "$XENO_SPAWN_FILE"
  qed:
    command: echo qed >> "${log}"
    dependencies: [split]
`);
    const state = temp.path('run.db');
    const killed = await killCliWhen(['run', workload, '--state', state], () => logLines(log).filter((line) => line.includes(' started ')).length >= 2);
    expect(killed.signal).toBe('SIGKILL');
    killOrphans(log);
    return { log, hurry, workload, state };
  }

  it('re-creates the unfinished children a command spawned through XENO_SPAWN_FILE, runs them, and never runs the parent\'s command again', async () => {
    const { log, hurry, workload, state } = await killWhileChildrenRun();
    expect(logLines(log).filter((line) => line === 'split')).toHaveLength(1);
    const status = await runMain(['status', state]);
    expect(status.stdout).toMatch(/^lemma-3 +pending/m);

    writeFileSync(hurry, '');
    const resumed = await runMain(['run', workload, '--state', state]);
    expect(resumed.stderr).toBe('');
    expect(resumed.code).toBe(0);
    for (const name of ['split', 'qed', 'lemma-1', 'lemma-2', 'lemma-3']) expect(resumed.stdout).toMatch(new RegExp(`^ *${name} +completed`, 'm'));
    const lines = logLines(log);
    // The parent's command ran once, before the kill; its children and its dependent ran to the end.
    expect(lines.filter((line) => line === 'split')).toHaveLength(1);
    expect(lines.filter((line) => line.endsWith(' done')).sort()).toEqual(['lemma-1 done', 'lemma-2 done', 'lemma-3 done']);
    expect(lines.filter((line) => line === 'qed')).toHaveLength(1);

    const after = await runMain(['status', state]);
    expect(after.stdout).toContain(`${state}: 5 tasks: 5 completed, 0 failed, 0 cancelled, 0 running, 0 pending`);
  });

  it('refuses to resume a store that kept nothing of what an unfinished spawned child runs (an older version wrote it), naming the child', async () => {
    const { workload, state } = await killWhileChildrenRun();
    // As an older xeno-scheduler stored it: no `work`. The sqlite3 shell's way, with the mark it leaves cleared.
    const db = openDatabase(state);
    db.exec("UPDATE tasks SET spec = json_remove(spec, '$.work'); DELETE FROM meta WHERE key = 'open_run'");
    db.close();
    const resumed = await runMain(['run', workload, '--state', state]);
    expect(resumed.code).toBe(2);
    expect(resumed.stderr).toContain('task "lemma-3" was spawned by "split" (XENO_SPAWN_FILE) in the stored run, which kept nothing of what it runs (an older xeno-scheduler wrote it): it cannot run again');
  });

  it('re-creates a race a command spawned, with its alternatives, and completes it once', async () => {
    const { log, hurry, workload, state } = await killWhileChildrenRun(
      (log, hurry) => `goal:\n  race:\n    - command: ${JSON.stringify(`echo "slow started $$" >> "${log}"; sleep 30; echo "slow done" >> "${log}"`)}\n    - command: ${JSON.stringify(sleeper('fast', log, hurry))}\n`,
    );
    writeFileSync(hurry, '');
    const resumed = await runMain(['run', workload, '--state', state]);
    expect(resumed.stderr).toBe('');
    expect(resumed.code).toBe(0);
    expect(resumed.stdout).toMatch(/^ +goal +completed/m);
    expect(resumed.stdout).toMatch(/^ +goal\/0 +cancelled/m);
    const lines = logLines(log);
    expect(lines.filter((line) => line === 'split')).toHaveLength(1);
    expect(lines.filter((line) => line === 'fast done')).toHaveLength(1);
    expect(lines.filter((line) => line === 'slow done')).toHaveLength(0);
    expect(lines.filter((line) => line === 'qed')).toHaveLength(1);
  });

  it('completes a race from the workload once when resumed after a kill: the alternative that completes wins, the other is cancelled', async () => {
    const log = temp.path('log.txt');
    const hurry = temp.path('hurry');
    const workload = writeWorkload(2, `  goal:
    race:
      - command: ${JSON.stringify(`echo "slow started $$" >> "${log}"; sleep 30; echo "slow done" >> "${log}"`)}
      - command: ${JSON.stringify(sleeper('fast', log, hurry))}
  qed:
    command: echo qed >> "${log}"
    dependencies: [goal]
`);
    const state = temp.path('run.db');
    const report = temp.path('report.json');
    await killCliWhen(['run', workload, '--state', state], () => logLines(log).filter((line) => line.includes(' started ')).length >= 2);
    killOrphans(log);

    writeFileSync(hurry, '');
    const resumed = await runMain(['run', workload, '--state', state, '--report', report]);
    expect(resumed.code).toBe(0);
    const lines = logLines(log);
    expect(lines.filter((line) => line === 'fast done')).toHaveLength(1);
    expect(lines.filter((line) => line === 'slow done')).toHaveLength(0);
    expect(lines.filter((line) => line === 'qed')).toHaveLength(1);
    const tasks = (JSON.parse(readFileSync(report, 'utf8')) as { tasks: { name: string; status: string }[] }).tasks;
    const statusOf = (name: string) => tasks.find((task) => task.name === name)?.status;
    expect([statusOf('goal'), statusOf('goal/1'), statusOf('goal/0'), statusOf('qed')]).toEqual(['completed', 'completed', 'cancelled', 'completed']);
  });

  it('counts a race won before the kill as complete on resume: its loser, cancelled then, does not fail the run', async () => {
    const log = temp.path('log.txt');
    const hurry = temp.path('hurry');
    const workload = writeWorkload(3, `  goal:
    race:
      - command: sleep 30
      - command: echo won >> "${log}"
  slow:
    command: ${JSON.stringify(sleeper('slow', log, hurry))}
`);
    const state = temp.path('run.db');
    await killCliWhen(['run', workload, '--state', state], (stdout) => /cancelled +goal\/0/.test(stdout) && logLines(log).some((line) => line.startsWith('slow started')));
    killOrphans(log);
    writeFileSync(hurry, '');
    const resumed = await runMain(['run', workload, '--state', state]);
    expect(resumed.stdout).toMatch(/^ +goal\/0 +cancelled/m);
    expect(resumed.stdout).toMatch(/^slow +completed/m);
    expect(resumed.code).toBe(0);
  });
});
