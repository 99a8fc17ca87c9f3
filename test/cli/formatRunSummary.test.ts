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
});
