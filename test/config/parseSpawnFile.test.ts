import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/parseConfig.js';
import { parseSpawnFile } from '../../src/config/parseSpawnFile.js';

const config = parseConfig('{}');
const source = 'XENO_SPAWN_FILE of task "split"';

describe('parseSpawnFile', () => {
  it('reads one mapping of task names to tasks, in YAML or JSON', () => {
    const yaml = parseSpawnFile('lemma-1:\n  command: prove 1\n', source, config, '/work');
    const json = parseSpawnFile('{"lemma-1": {"command": "prove 1"}}', source, config, '/work');
    expect(yaml.map((task) => [task.name, task.run])).toEqual([['lemma-1', { kind: 'command', command: 'prove 1' }]]);
    expect(json).toEqual(yaml);
  });

  it('reads a document with no content (only comments, a bare ---) or no tasks ({}) as nothing to spawn, as it reads an empty file', () => {
    expect(parseSpawnFile('# no obligations left\n', source, config, '/work')).toEqual([]);
    expect(parseSpawnFile('---\n', source, config, '/work')).toEqual([]);
    expect(parseSpawnFile('{}', source, config, '/work')).toEqual([]);
  });

  it("checks a race's alternatives as tasks, naming the alternative's place and line", () => {
    const text = ['goal:', '  race:', '    - command: z3', '      resources: {cpu: 100}', '    - command: vampire', ''].join('\n');
    expect(() => parseSpawnFile(text, source, config, '/work')).toThrow(
      'XENO_SPAWN_FILE of task "split":4: goal.race.0.resources.cpu: expected at most 4 (the cpu pool\'s capacity), found 100 (task "goal/0" requests 100 cpu but the pool holds 4)',
    );
  });

  it('says the file is not a workload when its tasks are written under `tasks:`', () => {
    expect(() => parseSpawnFile('tasks:\n  lemma-1:\n    command: prove 1\n', source, config, '/work')).toThrow(
      /^XENO_SPAWN_FILE of task "split":2: tasks\.lemma-1: expected one of the keys .*, found unknown key "lemma-1" \(the file holds one mapping of task names to tasks, not a workload: write them without `tasks:`\)$/,
    );
  });
});
