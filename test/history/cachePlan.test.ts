import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createScheduler } from '../../src/core/createScheduler.js';
import { TaskSchedulingError } from '../../src/errors.js';
import { expandPatterns, isNamedBy } from '../../src/history/expandPatterns.js';
import { keyOf, keyPartsOf, whyRan } from '../../src/history/cacheKey.js';
import { toCachePlan } from '../../src/history/TaskCachePlan.js';
import { commandTask } from '../../src/workers/commandTask.js';
import { useTempFolder } from '../support/tempStore.js';

const temp = useTempFolder();
const run = commandTask('true');

describe('toCachePlan', () => {
  it('makes a task cacheable by inputs or cacheKey, and not with cache: false', () => {
    expect(toCachePlan({ run }, run, 'task')).toBeUndefined();
    expect(toCachePlan({ inputs: [], run }, run, 'task')).toMatchObject({ inputs: [], outputs: [], runs: { kind: 'command', command: 'true' } });
    expect(toCachePlan({ cacheKey: (spec) => `v2:${spec.name ?? ''}`, name: 'a', run }, run, 'task')).toMatchObject({ customKey: 'v2:a', inputs: undefined });
    expect(toCachePlan({ inputs: ['a.txt'], cache: false, run }, run, 'task')).toBeUndefined();
  });

  it('refuses bad cache fields naming the field, what was expected and what was found; nothing is scheduled', () => {
    const scheduler = createScheduler();
    const attempt = (spec: object) => () => scheduler.scheduleTasks([{ id: 'ok', run }, { id: 'bad', run, ...spec }]);
    expect(attempt({ inputs: 'a.txt' })).toThrow(TaskSchedulingError);
    expect(attempt({ inputs: 'a.txt' })).toThrow('tasks[1].inputs: expected an array of paths or globs, received "a.txt" (string)');
    expect(attempt({ inputs: ['a', ''] })).toThrow('tasks[1].inputs[1]: expected a non-empty path or glob, received "" (string)');
    expect(attempt({ inputs: [], cache: 'yes' })).toThrow('tasks[1].cache: expected true or false, received "yes" (string)');
    expect(attempt({ cacheKey: 7 })).toThrow('tasks[1].cacheKey: expected a string, or a function of the spec returning one, received 7 (number)');
    expect(attempt({ cacheKey: () => { throw new Error('no version'); } })).toThrow('tasks[1].cacheKey: the function threw: no version');
    expect(scheduler.hasTask('ok')).toBe(false);
  });
});

describe('expandPatterns', () => {
  it('expands globs to the files that exist, sorted and relative; keeps a named file that does not exist; walks a named folder', () => {
    const base = temp.folder;
    for (const path of ['a/x.v', 'a/b/y.v', 'a/b/z.txt', 'c.v', 'd/e.txt']) {
      mkdirSync(join(base, path, '..'), { recursive: true });
      writeFileSync(join(base, path), path);
    }
    expect(expandPatterns(base, ['**/*.v'])).toEqual(['a/b/y.v', 'a/x.v', 'c.v']);
    expect(expandPatterns(base, ['a/*.v', 'missing.txt'])).toEqual(['a/x.v', 'missing.txt']);
    expect(expandPatterns(base, ['a/b/{y.v,z.txt}', 'd'])).toEqual(['a/b/y.v', 'a/b/z.txt', 'd/e.txt']);
    expect(expandPatterns(base, ['?.v', 'a/[xy].v'])).toEqual(['a/x.v', 'c.v']);
  });

  it('says whether a path, existing or not, is one the patterns name (what a restore may write)', () => {
    const base = temp.folder;
    expect(isNamedBy(base, ['out/*.txt'], 'out/new.txt')).toBe(true);
    expect(isNamedBy(base, ['out/*.txt'], 'out/deep/new.txt')).toBe(false);
    expect(isNamedBy(base, ['out/**/*.txt', 'build'], 'out/deep/new.txt')).toBe(true);
    expect(isNamedBy(base, ['build'], 'build/x/y.o')).toBe(true);
    expect(isNamedBy(base, ['out/*.txt'], '../etc/passwd')).toBe(false);
    expect(isNamedBy(base, ['report.txt'], 'report.txt.bak')).toBe(false);
  });
});

describe('keyPartsOf and whyRan', () => {
  it('keys alike whatever the config\'s key order, and says which input changed', () => {
    const base = temp.folder;
    writeFileSync(join(base, 'in.txt'), 'one');
    const plan = toCachePlan({ inputs: ['in.txt'], baseDir: base, envInputs: ['XENO_TEST_FLAG'], run }, run, 'task');
    if (plan === undefined) throw new Error('expected a plan');
    const task = (config: object) => ({ id: 'a', name: 'a', type: 'proof', config, cache: plan });
    const first = keyPartsOf(task({ x: 1, y: 2 }), {}, {});
    expect(keyOf(keyPartsOf(task({ y: 2, x: 1 }), {}, {}))).toBe(keyOf(first));
    writeFileSync(join(base, 'in.txt'), 'two');
    const edited = keyPartsOf(task({ x: 1, y: 2 }), {}, {});
    expect(keyOf(edited)).not.toBe(keyOf(first));
    expect(whyRan(first, edited)).toBe('in.txt changed');
    expect(whyRan(edited, keyPartsOf(task({ x: 1, y: 2 }), {}, { XENO_TEST_FLAG: 'on' }))).toBe('$XENO_TEST_FLAG added');
    expect(whyRan(edited, keyPartsOf(task({ x: 2, y: 2 }), {}, {}))).toBe('config changed');
    expect(whyRan(undefined, edited)).toBe('no entry');
  });
});
