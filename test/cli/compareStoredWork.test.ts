import { mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { compareStoredWork } from '../../src/cli/compareWithStoredRun.js';

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
