import { readFileSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { useTempFolder } from '../support/tempStore.js';
import { runMain } from './runMain.js';

const temp = useTempFolder();

/** Writes `source` as `<name>.mjs` and a workload whose task `split` runs its export `name` (then `extra` YAML lines); returns the workload's path. */
function splitWorkload(name: string, source: string, extra = ''): string {
  const module = temp.path(`${name}.mjs`);
  writeFileSync(module, source);
  const workload = temp.path(`${name}.yaml`);
  writeFileSync(workload, `tasks:\n  split:\n    module: ${module}\n    export: ${name}\n${extra}`);
  return workload;
}

/** A module whose `split` spawns `config.n` command children in the workload's task shape, and whose `typo` spawns one with a misspelt key. */
function writeModule(log: string): string {
  const file = temp.path('split.mjs');
  writeFileSync(
    file,
    `import { appendFileSync } from 'node:fs';
export function split({ config, spawn }) {
  const ids = spawn(Array.from({ length: config.n }, (_, i) => ({ id: 'lemma-' + i, command: 'echo lemma-' + i + ' >> ${log}', config: { goal: i } })));
  return ids.join(' ');
}
export function typo({ spawn }) {
  try {
    spawn([{ id: 'lemma', command: 'true', retires: 2 }]);
    return 'spawned';
  } catch (error) {
    appendFileSync('${log}', error.name + ': ' + error.message + '\\n');
    return 'refused';
  }
}
`,
  );
  return file;
}

describe('xeno-scheduler run: a module task spawns children', () => {
  it('runs the command children a worker-thread module spawns in the workload\'s task shape, before the parent\'s dependents', async () => {
    const log = temp.path('log.txt');
    const module = writeModule(log);
    const workload = temp.path('w.yaml');
    writeFileSync(
      workload,
      `tasks:
  split:
    module: ${module}
    export: split
    worker: true
    config: { n: 3 }
  qed:
    command: echo qed >> ${log}
    dependencies: [split]
`,
    );
    const report = temp.path('report.json');
    const { code, stdout } = await runMain(['run', workload, '--report', report]);
    expect(code).toBe(0);
    expect(stdout).toMatch(/^ +lemma-2 +completed/m);
    const lines = readFileSync(log, 'utf8').trim().split('\n');
    expect(lines.slice(0, 3).sort()).toEqual(['lemma-0', 'lemma-1', 'lemma-2']);
    expect(lines[3]).toBe('qed');
    const tasks = (JSON.parse(readFileSync(report, 'utf8')) as { tasks: { name: string; parent?: string; result?: unknown }[] }).tasks;
    expect(tasks.filter((task) => task.parent === 'split').map((task) => task.name).sort()).toEqual(['lemma-0', 'lemma-1', 'lemma-2']);
  });

  it('hands the module the error naming the field when a child it spawns is invalid, and runs none of it', async () => {
    const log = temp.path('log.txt');
    const module = writeModule(log);
    const workload = temp.path('w.yaml');
    writeFileSync(workload, `tasks:\n  typo:\n    module: ${module}\n    export: typo\n    worker: true\n`);
    const report = temp.path('report.json');
    const { code } = await runMain(['run', workload, '--report', report]);
    expect(code).toBe(0);
    const tasks = (JSON.parse(readFileSync(report, 'utf8')) as { tasks: { name: string }[] }).tasks;
    expect(tasks.map((task) => task.name)).toEqual(['typo']);
    expect(readFileSync(log, 'utf8')).toMatch(/^ConfigurationError: spawn of task "typo":\d+: lemma\.retires: /);
  });

  it('returns the ids of workload-shaped children in the order the module gave them (a name such as "7" included)', async () => {
    const log = temp.path('order.txt');
    const workload = splitWorkload(
      'order',
      `import { appendFileSync } from 'node:fs';
export function order({ spawn }) {
  appendFileSync('${log}', JSON.stringify(spawn([{ id: 'lemma', command: 'true' }, { id: '7', command: 'true' }, { id: 'qed', command: 'true', dependencies: ['7'] }])) + '\\n');
}
`,
    );
    expect((await runMain(['run', workload])).code).toBe(0);
    expect(readFileSync(log, 'utf8')).toBe('["lemma","7","qed"]\n');
  });

  it('refuses a workload-shaped spawn that names one child twice, naming the second id, and runs neither', async () => {
    const log = temp.path('dup.txt');
    const workload = splitWorkload(
      'dup',
      `import { appendFileSync } from 'node:fs';
export function dup({ spawn }) {
  try {
    spawn([{ id: 'x', command: 'echo one >> ${log}' }, { id: 'x', command: 'echo two >> ${log}' }]);
  } catch (error) {
    appendFileSync('${log}', error.message + '\\n');
  }
}
`,
    );
    expect((await runMain(['run', workload])).code).toBe(0);
    expect(readFileSync(log, 'utf8')).toBe('spawn[1].id: "x" is already used by another task\n');
  });

  it('runs a race of commands a worker-thread module spawns in the workload\'s task shape, as XENO_SPAWN_FILE may write one', async () => {
    const log = temp.path('race.txt');
    const workload = splitWorkload(
      'race',
      `export function race({ spawn }) {
  return spawn([{ id: 'goal', race: [{ command: 'echo fast >> ${log}' }, { command: 'sleep 5; echo slow >> ${log}' }] }]);
}
`,
      `    worker: true\n  qed:\n    command: echo qed >> ${log}\n    dependencies: [split]\n`,
    );
    const { code, stdout } = await runMain(['run', workload]);
    expect(code).toBe(0);
    expect(stdout).toMatch(/^ +goal +completed/m);
    expect(stdout).toMatch(/^ +goal\/1 +cancelled/m);
    expect(readFileSync(log, 'utf8')).toBe('fast\nqed\n');
  });
});
