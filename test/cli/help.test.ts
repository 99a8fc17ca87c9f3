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

describe('output to a reader that goes away', () => {
  it('ends quietly when stdout is closed early (`--help | head -1`), without an unhandled EPIPE', async () => {
    const { execFile } = await import('node:child_process');
    const { fileURLToPath } = await import('node:url');
    const bin = fileURLToPath(new URL('../../src/cli/bin.ts', import.meta.url));
    const command = `"${process.execPath}" --import tsx "${bin}" run --help | head -1; echo "status \${PIPESTATUS[0]}" >&2`;
    const { stdout, stderr } = await new Promise<{ stdout: string; stderr: string }>((resolve) =>
      execFile('bash', ['-c', command], (_error, out, err) => resolve({ stdout: out, stderr: err })),
    );
    expect(stdout).toMatch(/^Usage: xeno-scheduler run/);
    expect(stderr).not.toMatch(/EPIPE|Unhandled/);
    expect(stderr).toContain('status 0');
  });
});
