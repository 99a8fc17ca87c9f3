import { describe, expect, it } from 'vitest';
import { runCli } from './runCli.js';

const FILE = 'test/fixtures/cli/aging-off.yaml';

// Issue 12, item 10: `aging_interval: 0` is documented as "disables aging"; validate accepted it,
// then run failed on `options.policy` and simulate printed an internal error.
describe.concurrent('aging_interval: 0', () => {
  it('passes validate, runs every task with run, and simulates without an internal error', async () => {
    const [validated, ran, simulated] = await Promise.all([
      runCli(['validate', FILE]),
      runCli(['run', FILE]),
      runCli(['simulate', FILE, '--json']),
    ]);
    expect(validated.code).toBe(0);
    expect(ran.stderr).not.toMatch(/options\.policy/);
    expect(ran.code).toBe(0);
    expect(simulated.stderr).not.toMatch(/internal error|\n\s+at /);
    expect(simulated.code).toBe(0);
    const { policies } = JSON.parse(simulated.stdout) as { policies: { policy: string; makespanMs: number }[] };
    expect(policies).toEqual([expect.objectContaining({ policy: 'priority', makespanMs: 100 })]);
  });
});
