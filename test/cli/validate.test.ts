import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadWorkload } from '../../src/config/loadWorkload.js';
import { runCli } from './runCli.js';
import { runMain } from './runMain.js';

describe('xeno-scheduler validate', () => {
  it('prints the plan: the settings, then every task after its dependencies, by level, with priority, resources and what it runs', async () => {
    const file = 'config/examples/proof-pipeline.yaml';
    const { code, stdout, stderr } = await runMain(['validate', file]);
    expect(code).toBe(0);
    expect(stderr).toBe('');
    expect(stdout).toMatch(/^config\/examples\/proof-pipeline\.yaml is valid: 15 tasks in 8 levels$/m);
    expect(stdout).toMatch(/^scheduler: 2 workers, policy critical-path, pools cpu 2, memory 4, disk 100, network 1000$/m);
    expect(stdout).toMatch(/^ +6 +theorem_am_gm +highest +cpu 2, memory 3 +lemma_square_nonneg, lemma_distrib, lemma_mul_assoc +command$/m);
    const rows = stdout
      .split('\n')
      .map((line) => /^ *(\d+) +(\w+) /.exec(line))
      .filter((match) => match !== null)
      .map((match) => ({ level: Number(match[1]), name: match[2] ?? '' }));
    const { tasks } = loadWorkload(file);
    expect(rows.map((row) => row.name).sort()).toEqual(tasks.map((task) => task.name).sort());
    const position = new Map(rows.map((row, at) => [row.name, at]));
    const levels = rows.map((row) => row.level);
    expect(levels).toEqual([...levels].sort((a, b) => a - b));
    for (const task of tasks) {
      for (const dependency of task.dependencies) expect(position.get(dependency)).toBeLessThan(position.get(task.name) ?? -1);
    }
  });

  it('says "1 task in 1 level" for a single task', async () => {
    const { code, stdout } = await runMain(['validate', 'test/fixtures/cli/one-task.yaml']);
    expect(code).toBe(0);
    expect(stdout).toMatch(/^test\/fixtures\/cli\/one-task\.yaml is valid: 1 task in 1 level$/m);
  });

  it('escapes control characters in the names of the plan', async () => {
    const { code, stdout } = await runMain(['validate', 'test/fixtures/cli/control-characters.yaml']);
    expect(code).toBe(0);
    expect(stdout).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/);
    expect(stdout).toMatch(/^ +1 +fails\\r\\x9b2J +normal +- +clear\\x1b\[2J\\x07name +command$/m);
  });

  it('escapes control characters in the error that quotes them', async () => {
    const { code, stderr } = await runMain(['validate', 'test/fixtures/cli/control-characters-invalid.yaml']);
    expect(code).toBe(2);
    expect(stderr).toBe(
      'error: test/fixtures/cli/control-characters-invalid.yaml:5: tasks.bad\\x1b[2J\\x07.dependencies.0: ' +
        'expected the name of a task in this workload, found "nope\\x1b[2J"\n',
    );
  });

  it('accepts a simulation-only workload and says that `run` would refuse it', async () => {
    const { code, stdout } = await runMain(['validate', 'config/examples/simulation-dag.yaml']);
    expect(code).toBe(0);
    expect(stdout).toMatch(/^ +0 +fetch_corpus +high +cpu 1, memory 2 +- +nothing \(simulation only\)$/m);
    expect(stdout).toContain('15 of 15 tasks have nothing to run: `run` refuses this workload, `simulate` replays it');
  });

  it('counts the tasks that have nothing to run among the tasks that run: a race by its alternatives', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'xeno-validate-race-')), 'race.yaml');
    writeFileSync(file, ['tasks:', '  lemmas:', '    command: echo lemmas', '  goal:', '    race:', '      - estimate: 5', '      - estimate: 2', '  qed:', '    estimate: 1', ''].join('\n'));
    const { code, stdout } = await runMain(['validate', file]);
    expect(code).toBe(0);
    expect(stdout).toContain('is valid: 3 tasks in 1 level');
    // goal/0, goal/1 and qed run nothing, lemmas runs a command; the race runs only its alternatives.
    expect(stdout).toContain('3 of 4 tasks have nothing to run: `run` refuses this workload, `simulate` replays it');
  });

  it('exits 2 (as a process) and lists every problem of an invalid workload, with file, line and key path', async () => {
    const { code, stdout, stderr } = await runCli(['validate', 'test/fixtures/cli/invalid.yaml']);
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr.split('\n')).toEqual([
      'error: 3 problems:',
      '  test/fixtures/cli/invalid.yaml:9: tasks.prove.dependencies.0: expected the name of a task in this workload, found "lemma_missing"',
      '  test/fixtures/cli/invalid.yaml:18: tasks.egg.dependencies.0: expected dependencies that never lead back to the task, found the cycle chicken → egg → chicken',
      expect.stringMatching(/^ {2}test\/fixtures\/cli\/invalid\.yaml:12: tasks\.huge\.resources\.cpu: expected at most 2 \(the cpu pool's capacity\), found 16/),
      '',
    ]);
  });

  it('lists four different mistakes in one round: the schema, an unknown dependency, a cycle and a resource too large', async () => {
    const { code, stdout, stderr } = await runMain(['validate', 'test/fixtures/cli/four-mistakes.yaml']);
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr.split('\n')).toEqual([
      'error: 4 problems:',
      '  test/fixtures/cli/four-mistakes.yaml:4: tasks.a.priority: expected a priority name (lowest, low, normal, high, highest) or a whole number from 1 to 5, found "urgent"',
      '  test/fixtures/cli/four-mistakes.yaml:7: tasks.b.dependencies.0: expected the name of a task in this workload, found "missing"',
      '  test/fixtures/cli/four-mistakes.yaml:13: tasks.d.dependencies.0: expected dependencies that never lead back to the task, found the cycle c → d → c',
      '  test/fixtures/cli/four-mistakes.yaml:16: tasks.e.resources.cpu: expected at most 4 (the cpu pool\'s capacity), found 64 (task "e" requests 64 cpu but the pool holds 4)',
      '',
    ]);
  });

  it('lists a bad inline configuration beside the tasks\' problems, leaving out only the checks that need it', async () => {
    const { code, stderr } = await runMain(['validate', 'test/fixtures/cli/bad-config-and-tasks.yaml']);
    expect(code).toBe(2);
    expect(stderr).toMatch(/^error: 3 problems:$/m);
    expect(stderr).toMatch(/tasks\.a\.priority: expected a priority name/);
    expect(stderr).toMatch(/tasks\.b\.dependencies\.0: expected the name of a task in this workload, found "a_"/);
    expect(stderr).toMatch(/config\.scheduler\.task_scheduler\.max_workers: expected/);
  });

  it('exits 2 with a clear message for 5,000 nested mappings (not an internal RangeError)', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'xeno-nested-')), 'nested.yaml');
    writeFileSync(file, `tasks:\n  a:\n    command: "true"\n    config: ${'{a: '.repeat(5000)}1${'}'.repeat(5000)}\n`);
    const { code, stderr } = await runMain(['validate', file]);
    expect(stderr).toBe(`error: ${file}:4: <root>: expected YAML nested at most 100 levels deep, found deeper nesting\n`);
    expect(code).toBe(2);
  });

  it('exits 2 for a bad --config file, naming it', async () => {
    const { code, stderr } = await runMain(['validate', 'config/examples/proof-pipeline.yaml', '--config', 'test/fixtures/config/bad-config.yaml']);
    expect(code).toBe(2);
    expect(stderr).toMatch(/test\/fixtures\/config\/bad-config\.yaml:\d+: /);
  });
});
