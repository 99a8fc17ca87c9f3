import { mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { compareStoredWork, compareWithStoredRun } from '../../src/cli/compareWithStoredRun.js';
import { storedTask } from '../support/storedTask.js';

describe('compareStoredWork', () => {
  const folder = mkdtempSync(join(tmpdir(), 'xeno-work-'));
  writeFileSync(join(folder, 'work.mjs'), 'export const run = () => 1;\n');
  writeFileSync(join(folder, 'other.mjs'), 'export const run = () => 2;\n');
  const linked = join(tmpdir(), `xeno-linked-${process.pid}-${Date.now()}`);
  symlinkSync(folder, linked);
  afterAll(() => {
    rmSync(linked);
    rmSync(folder, { recursive: true });
  });
  const module = (path: string) => ({ kind: 'module', module: path, export: 'run', worker: false }) as const;

  it('takes the same module file read through a symlinked folder as the same module', () => {
    expect(compareStoredWork({ a: module(join(linked, 'work.mjs')) }, { a: module(join(folder, 'work.mjs')) }, new Set(['a']))).toEqual([]);
  });

  it('still reports another module file, through the link or not', () => {
    expect(compareStoredWork({ a: module(join(linked, 'other.mjs')) }, { a: module(join(folder, 'work.mjs')) }, new Set(['a']))).toEqual([
      `task "a": module differs (stored ${JSON.stringify(join(folder, 'work.mjs'))}, workload ${JSON.stringify(join(linked, 'other.mjs'))})`,
    ]);
  });
});

describe('compareWithStoredRun with learned requests', () => {
  it('takes memory: auto and estimate: auto as agreeing with what the stored run resolved them to, and still sees a real change', () => {
    const stored = storedTask('a', 1, [], { resources: { memory: 0.14, cpu: 2 }, timeoutMs: 1000, retry: { attempts: 1, backoffMs: 0, backoffFactor: 1, maxBackoffMs: 0 } });
    const spec = { id: 'a', resources: { memory: 'auto' as const, cpu: 2 }, estimateMs: 'auto' as const, timeoutMs: 1000, retry: { attempts: 1 } };
    expect(compareWithStoredRun([spec], [stored])).toEqual([]);
    expect(compareWithStoredRun([{ ...spec, resources: { memory: 'auto' as const, cpu: 3 } }], [stored])).toEqual(['task "a": resources differs (stored {"cpu":2,"memory":0.14}, workload {"cpu":3,"memory":0.14})']);
  });
});
