import { describe, expect, it } from 'vitest';
import { runMain } from './runMain.js';

describe('xeno-scheduler --help', () => {
  it.each([
    [[], /^Commands:\n {2}run \[options\] <workload>/m],
    [['run'], /--max-workers <n>[\s\S]*--dashboard[\s\S]*--keep-open/],
    [['validate'], /Usage: xeno-scheduler validate \[options\] <workload>/],
    [['simulate'], /--compare <policies>[\s\S]*--svg <file>/],
    [['machines'], /--json/],
  ])('describes %j and exits 0', async (command, usage) => {
    const { code, stdout } = await runMain([...command, '--help']);
    expect(code).toBe(0);
    expect(stdout).toMatch(usage);
  });

  it('shows the help on stderr and exits 2 without a command', async () => {
    const { code, stdout, stderr } = await runMain([]);
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toMatch(/^Usage: xeno-scheduler/);
  });
});
