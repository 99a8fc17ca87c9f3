import { describe, expect, it } from 'vitest';
import { runMain } from './runMain.js';

const W = 'test/fixtures/cli/one-task.yaml';

describe('usage errors', () => {
  it.each([
    [['run', W, '--bogus'], 'error: <command line>: --bogus: expected an option of this command, found unknown option "--bogus" (add --help for usage)'],
    [['run', W, '--jsn'], 'error: <command line>: --jsn: expected an option of this command, found unknown option "--jsn" (did you mean --json? add --help for usage)'],
    [['bogus'], 'error: <command line>: <command>: expected a command (run, status, worker, validate, simulate, machines), found "bogus" (add --help for usage)'],
    [['validate'], 'error: <command line>: <workload>: expected a workload, found nothing (add --help for usage)'],
    [['validate', W, W], 'error: <command line>: <arguments>: expected at most 1, found 2 (add --help for usage)'],
    [['run', W, '--report'], 'error: <command line>: --report: expected a value after it, found nothing (add --help for usage)'],
    [['run', W, '--max-workers', 'two'], 'error: <command line>: --max-workers: expected a whole number >= 1, found "two" (add --help for usage)'],
    [['simulate', W, '--policy', 'fastest'], 'error: <command line>: --policy: expected one of priority, fifo, shortest-first, critical-path, fair-share, found "fastest" (add --help for usage)'],
    [['worker'], 'error: <command line>: --node: expected this option (it is required), found nothing (add --help for usage)'],
  ])('a flag commander refuses prints in our format, one line, exit 2: %j', async (args, line) => {
    const { code, stdout, stderr } = await runMain(args);
    expect(stderr).toBe(`${line}\n`);
    expect(code).toBe(2);
    expect(stdout).toBe('');
  });

  it('prints the help and the version as before, exit 0', async () => {
    const help = await runMain(['run', '--help']);
    expect([help.code, help.stderr]).toEqual([0, '']);
    expect(help.stdout).toMatch(/^Usage: xeno-scheduler run \[options\] <workload>/);
    const version = await runMain(['--version']);
    expect([version.code, version.stdout]).toEqual([0, '0.1.0\n']);
  });
});
