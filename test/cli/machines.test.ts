import { describe, expect, it } from 'vitest';
import { machinesToJson } from '../../src/inspection/machinesToJson.js';
import { runMain } from './runMain.js';

describe('xeno-scheduler machines', () => {
  it('prints every machine as JSON with --json: the task statechart for the Stately editor and the actor logics', async () => {
    const { code, stdout } = await runMain(['machines', '--json']);
    expect(code).toBe(0);
    // The document of machinesToJson (whose content its own tests check), as parseable JSON.
    expect(JSON.parse(stdout)).toEqual(JSON.parse(JSON.stringify(machinesToJson())));
    const [task] = JSON.parse(stdout) as { kind: string; config: { states: Record<string, unknown> } }[];
    expect(task?.kind).toBe('statechart');
    expect(Object.keys(task?.config.states ?? {})).toEqual(['pending', 'running', 'completed', 'failed', 'cancelled']);
  });

  it('lists the machines with their states or events without --json', async () => {
    const { code, stdout } = await runMain(['machines']);
    expect(code).toBe(0);
    expect(stdout).toMatch(/^task \(statechart, \d+ states, \d+ transitions\): /m);
    expect(stdout).toContain('  states: pending, pending.dependencies, pending.queued');
    expect(stdout).toContain('  events: pool.allocate, pool.release, pool.reserve');
  });
});
