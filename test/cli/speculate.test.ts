import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { RunReport } from '../../src/cli/buildRunReport.js';
import { loadPlan } from '../../src/cli/loadPlan.js';
import { runMain } from './runMain.js';

const FIXTURE = 'test/fixtures/speculate/straggler.yaml';

describe('run --speculate and scheduler.speculate', () => {
  it('backs up the straggling command from the workload\'s scheduler.speculate: the backup wins, the straggler is killed, the run succeeds', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'xeno-cli-speculate-'));
    process.env['XENO_STRAGGLER_DIR'] = dir;
    const report = join(dir, 'report.json');
    const startedAt = Date.now();
    const { code, stdout } = await runMain(['run', FIXTURE, '--report', report]);
    delete process.env['XENO_STRAGGLER_DIR'];
    expect(code).toBe(0);
    // The straggler (sleep 30) was killed: the run, which waits for its processes, did not wait for it.
    expect(Date.now() - startedAt).toBeLessThan(15_000);
    expect(stdout).toContain('1 straggler backed up; the backup won for prove');
    const { tasks, summary } = JSON.parse(readFileSync(report, 'utf8')) as RunReport;
    expect(tasks).toEqual([expect.objectContaining({ name: 'prove', status: 'completed', attempts: 1, output: 'fast', backup: 'won' })]);
    expect(summary).toMatchObject({ total: 1, completed: 1, cancelled: 0, exitCode: 0 });
  });

  it('takes --speculate over the configuration, and refuses a value that is not a number > 0', async () => {
    expect(loadPlan(FIXTURE, { speculate: 3.5 }).options.speculate).toBe(3.5);
    expect(loadPlan(FIXTURE).options.speculate).toBe(2);
    for (const value of ['0', '-1', 'often', '']) {
      const { code, stderr } = await runMain(['run', FIXTURE, '--speculate', value]);
      expect(code).toBe(2);
      expect(stderr).toContain(`--speculate: expected a finite number > 0 (the multiple of a task's bound after which a running attempt is backed up), found "${value}"`);
    }
  });

  it('refuses scheduler.speculate: 0 in a workload, naming the path', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'xeno-cli-speculate-'));
    const file = join(dir, 'bad.yaml');
    writeFileSync(file, ['config:', '  scheduler:', '    speculate: 0', 'tasks:', '  a:', '    command: echo a', ''].join('\n'));
    const { code, stderr } = await runMain(['validate', file]);
    expect(code).toBe(2);
    expect(stderr).toMatch(/:3: config\.scheduler\.speculate: expected [^\n]*> ?0[^\n]*found 0/);
  });

  it('takes a fractional simulate --speculate as run --speculate does, and refuses what run refuses with the same words', async () => {
    const { code, stdout, stderr } = await runMain(['simulate', FIXTURE, '--speculate', '1.5']);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(stdout).toContain('priority + speculate');
    for (const value of ['0', '-1', 'often']) {
      const refused = await runMain(['simulate', FIXTURE, '--speculate', value]);
      expect(refused.code).toBe(2);
      expect(refused.stderr).toContain(`--speculate: expected a finite number > 0 (the multiple of a task's bound after which a running attempt is backed up), found "${value}"`);
    }
  });

  it("simulates with the workload's scheduler.speculate as run does, without --speculate", async () => {
    const { code, stdout } = await runMain(['simulate', FIXTURE]);
    expect(code).toBe(0);
    expect(stdout).toContain('priority + speculate');
  });
});
