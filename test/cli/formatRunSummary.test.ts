import { describe, expect, it } from 'vitest';
import { buildRunReport } from '../../src/cli/buildRunReport.js';
import { formatRunSummary } from '../../src/cli/formatRunSummary.js';
import { toReattachedAttempts } from '../../src/cli/reattachedAttempts.js';
import { trackTaskRuns } from '../../src/cli/trackTaskRuns.js';
import { createScheduler } from '../../src/core/createScheduler.js';
import { manualWork, settle } from '../support/harness.js';

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

  it('counts as running tasks stopped only those that ran: not a parent whose work had returned and that waited for its children', async () => {
    const scheduler = createScheduler({ maxWorkers: 2 });
    const tracker = trackTaskRuns(scheduler);
    const child = manualWork();
    scheduler.scheduleTask({ id: 'split', run: (ctx) => (ctx.spawn([{ id: 'a', run: child.run }, { id: 'b', run: child.run }]), 'split') });
    await settle();
    expect(scheduler.getTask('split').pendingReason).toBe('children');
    await scheduler.stop({ graceMs: 0 });
    const report = buildRunReport(tracker.tasks(), { ...facts, interruptedBy: 'SIGINT', exitCode: 130 });
    expect(report.tasks.filter((task) => task.stoppedRunning === true).map((task) => task.name)).toEqual(['a', 'b']);
    expect(formatRunSummary(report, true)).toContain('interrupted by SIGINT: 2 running tasks stopped (their processes killed), the rest left pending\n');
  });

  it('counts what a stop cancelled as stopped, to resume, when the run is kept in a store (status says pending), and as cancelled when not', () => {
    const report = buildRunReport([], { ...facts, interruptedBy: 'SIGINT', exitCode: 130 });
    const cancelled = { ...report, summary: { ...report.summary, total: 3, completed: 1, cancelled: 2 } };
    expect(formatRunSummary(cancelled, true)).toMatch(/^3 tasks: 1 completed, 0 failed, 2 stopped in 1\.20s; run the same command again to resume them$/m);
    expect(formatRunSummary(cancelled, true)).toContain('the rest left pending');
    expect(formatRunSummary(cancelled)).toMatch(/^3 tasks: 1 completed, 0 failed, 2 cancelled in 1\.20s$/m);
    const finished = { ...cancelled, summary: { ...cancelled.summary, interruptedBy: null } };
    expect(formatRunSummary(finished, true)).toMatch(/2 cancelled in/);
  });
});
