import { describe, expect, it } from 'vitest';
import { buildRunReport } from '../../src/cli/buildRunReport.js';
import { formatRunSummary } from '../../src/cli/formatRunSummary.js';
import { toReattachedAttempts } from '../../src/cli/reattachedAttempts.js';

const facts = { workload: 'w.yaml', policy: 'priority' as const, maxWorkers: 2, elapsedMs: 1200, interruptedBy: null, exitCode: 0 };
const resumed = { state: 'run.db', completed: 1, failed: 0, cancelled: 0, interrupted: [], interruptedBefore: 0, stopped: [], pending: 0 };

describe('formatRunSummary', () => {
  it('repeats the resumed line only where a distributed resume has re-attached attempts to tell of (the line before the run said the rest)', () => {
    const nothingFound = formatRunSummary(buildRunReport([], { ...facts, resumed: { ...resumed, reattached: toReattachedAttempts([]) } }));
    expect(nothingFound).not.toContain('resumed run.db');
    const found = formatRunSummary(buildRunReport([], { ...facts, resumed: { ...resumed, interrupted: ['a'], reattached: { finished: [], running: ['a'], gone: [] } } }));
    expect(found).toContain('resumed run.db: 1 task had finished');
    expect(formatRunSummary(buildRunReport([], { ...facts, resumed }))).not.toContain('resumed run.db');
  });

  it('counts what a stop cancelled as stopped, to resume, when the run is kept in a store (status says pending), and as cancelled when not', () => {
    const report = buildRunReport([], { ...facts, interruptedBy: 'SIGINT', exitCode: 130 });
    const cancelled = { ...report, summary: { ...report.summary, total: 3, completed: 1, cancelled: 2 } };
    expect(formatRunSummary(cancelled, true)).toMatch(/^3 tasks: 1 completed, 0 failed, 2 stopped, will resume in 1\.20s$/m);
    expect(formatRunSummary(cancelled, true)).toContain('the rest left pending');
    expect(formatRunSummary(cancelled)).toMatch(/^3 tasks: 1 completed, 0 failed, 2 cancelled in 1\.20s$/m);
    const finished = { ...cancelled, summary: { ...cancelled.summary, interruptedBy: null } };
    expect(formatRunSummary(finished, true)).toMatch(/2 cancelled in/);
  });
});
