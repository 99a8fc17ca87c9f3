import { mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runMain } from './runMain.js';

const tmp = mkdtempSync(join(tmpdir(), 'xeno-cli-outputs-'));
const WORKLOAD = 'tasks:\n  a: {command: "true", estimate: 1}\n';

function files(name: string): { dir: string; workload: string; config: string; withConfig: string } {
  const dir = mkdtempSync(join(tmp, `${name}-`));
  const workload = join(dir, 'w.yaml');
  const config = join(dir, 'c.yaml');
  const withConfig = join(dir, 'wc.yaml');
  writeFileSync(workload, WORKLOAD);
  writeFileSync(config, 'scheduler: {}\n');
  writeFileSync(withConfig, `config: c.yaml\n${WORKLOAD}`);
  return { dir, workload, config, withConfig };
}

describe('output paths that name an input', () => {
  it.each([
    ['run --report <the workload>', (f: ReturnType<typeof files>) => ['run', f.workload, '--report', f.workload], 'the workload'],
    ['run --report <a link to the workload>', (f: ReturnType<typeof files>) => (symlinkSync(f.workload, join(f.dir, 'link.yaml')), ['run', f.workload, '--report', join(f.dir, 'link.yaml')]), 'the workload'],
    ['run --report <the --config file>', (f: ReturnType<typeof files>) => ['run', f.workload, '--config', f.config, '--report', f.config], 'the --config file'],
    ['run --report <the config file the workload names>', (f: ReturnType<typeof files>) => ['run', f.withConfig, '--report', f.config], "the workload's configuration file"],
    ['run --report <the --state file, not there yet>', (f: ReturnType<typeof files>) => ['run', f.workload, '--state', join(f.dir, 'run.db'), '--report', join(f.dir, '.', 'run.db')], 'the --state file'],
    ['run --report <a link to the --state file, not there yet>', (f: ReturnType<typeof files>) => (symlinkSync('run.db', join(f.dir, 'report.json')), ['run', f.workload, '--state', join(f.dir, 'run.db'), '--report', join(f.dir, 'report.json')]), 'the --state file'],
    ["run --report <the --state file's write-ahead log>", (f: ReturnType<typeof files>) => ['run', f.workload, '--state', join(f.dir, 'run.db'), '--report', join(f.dir, 'run.db-wal')], "the --state file's -wal file"],
  ])('%s is refused before anything runs, exit 2, and the file is left as it was', async (_, argsOf, role) => {
    const f = files('report');
    const args = argsOf(f);
    const { code, stdout, stderr } = await runMain(args);
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toMatch(new RegExp(`^error: <command line>: --report: expected a file other than ${role.replace(/[-.]/g, '\\$&')} \\(.*\\), which writing it would overwrite, found .*, which is ${role.replace(/[-.]/g, '\\$&')}$`, 'm'));
    expect(readFileSync(f.workload, 'utf8')).toBe(WORKLOAD);
    expect(readFileSync(f.config, 'utf8')).toBe('scheduler: {}\n');
  });

  it('run --report <an existing --state store> leaves the store to resume', async () => {
    const f = files('state');
    const state = join(f.dir, 'run.db');
    expect((await runMain(['run', f.workload, '--state', state, '-q'])).code).toBe(0);
    const before = readFileSync(state);
    const { code, stderr } = await runMain(['run', f.workload, '--state', state, '--report', state]);
    expect(code).toBe(2);
    expect(stderr).toMatch(/--report: expected a file other than the --state file/);
    expect(readFileSync(state).equals(before)).toBe(true);
    expect((await runMain(['status', state])).code).toBe(0);
  });
});


describe('simulate --trace and --svg', () => {
  it.each([
    ['--svg <the workload>', (f: ReturnType<typeof files>) => ['--svg', f.workload], /^error: <command line>: --svg: expected a file other than the workload \(.*\), which writing it would overwrite, found .*w\.yaml, which is the workload$/m],
    ['--trace <the --config file>', (f: ReturnType<typeof files>) => ['--config', f.config, '--trace', f.config], /^error: <command line>: --trace: expected a file other than the --config file/m],
    ['--svg and --trace naming one file', (f: ReturnType<typeof files>) => ['--trace', join(f.dir, 'out'), '--svg', join(f.dir, 'out')], /^error: <command line>: --svg: expected a file other than the --trace file/m],
    ['--trace in a missing folder', (f: ReturnType<typeof files>) => ['--trace', join(f.dir, 'missing/x.json')], /^error: <command line>: --trace: expected a file in a writable folder, found .*missing\/x\.json \(.*: ENOENT\)$/m],
    ['--svg /dev/full (a write that fails)', () => ['--svg', '/dev/full'], /^error: <command line>: --svg: expected a file the output could be written to, found \/dev\/full \(ENOSPC\)$/m],
  ])('%s: exit 2 naming the flag, no stack, the workload untouched', async (_, flagsOf, message) => {
    const f = files('simulate');
    const { code, stdout, stderr } = await runMain(['simulate', f.workload, ...flagsOf(f)]);
    expect(stderr).toMatch(message);
    expect(stderr).not.toMatch(/internal error|^\s+at /m);
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(readFileSync(f.workload, 'utf8')).toBe(WORKLOAD);
    expect(readFileSync(f.config, 'utf8')).toBe('scheduler: {}\n');
  });
});
