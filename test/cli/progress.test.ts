import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createLineProgress } from '../../src/cli/createLineProgress.js';
import { createTerminalProgress } from '../../src/cli/createTerminalProgress.js';
import type { TaskChange, TaskRunState, TaskRunTracker } from '../../src/cli/trackTaskRuns.js';

const base: TaskRunState = { name: '', status: 'pending', attempts: 0, durationMs: 0, waitMs: 0, runningSince: undefined, error: undefined, output: undefined };

/** A tracker whose tasks and changes the test sets by hand. */
function fakeTracker(tasks: TaskRunState[]): TaskRunTracker & { emit(change: TaskChange): void } {
  const listeners = new Set<(change: TaskChange) => void>();
  return {
    tasks: () => tasks,
    onChange(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    stop: () => listeners.clear(),
    emit: (change) => listeners.forEach((listener) => listener(change)),
  };
}

const stripAnsi = (text: string): string => text.replace(/\x1b\[[\d;?]*[A-Za-z]/g, '');

function fakeStream(columns = 100): { stream: NodeJS.WritableStream & { columns: number }; writes: string[] } {
  const writes: string[] = [];
  const stream = { columns, write: (text: string) => writes.push(text) > 0 } as unknown as NodeJS.WritableStream & { columns: number };
  return { stream, writes };
}

describe('createTerminalProgress', () => {
  beforeEach(() => {
    vi.useFakeTimers({ now: 0 });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('redraws the bar in place at most ten times a second, with counts per state, the running tasks and the elapsed time', () => {
    const tasks = [
      { ...base, name: 'parse', status: 'completed' as const, attempts: 1, durationMs: 200 },
      { ...base, name: 'prove', status: 'running' as const, attempts: 1, runningSince: 0 },
      { ...base, name: 'report' },
    ];
    const { stream, writes } = fakeStream();
    const view = createTerminalProgress(fakeTracker(tasks), { stream, startedAt: 0 });
    vi.advanceTimersByTime(1000);
    const frames = writes.filter((text) => text.includes('running: '));
    expect(frames.length).toBeGreaterThanOrEqual(9);
    expect(frames.length).toBeLessThanOrEqual(10);
    const raw = frames.at(-1) ?? '';
    const last = stripAnsi(raw);
    // Back to the start of the bar (one line up), clear, draw.
    expect(raw.startsWith('\r\x1b[1A\x1b[J')).toBe(true);
    expect(last).toMatch(/^\r {2}1\.00s █{14}░{6} 1\/3  ✓ 1 completed  ▶ 1 running  … 1 pending\n/);
    expect(last).toContain('running: prove 1.00s');
    view.stop();
    expect(writes.at(-1)).toBe('\n\x1b[?25h');
  });

  it('prints the end of each task as a permanent line above the bar, and cuts lines to the terminal width', () => {
    const tasks = [{ ...base, name: 'a_task_with_a_rather_long_name', status: 'running' as const, attempts: 1, runningSince: 0 }];
    const tracker = fakeTracker(tasks);
    const { stream, writes } = fakeStream(30);
    const view = createTerminalProgress(tracker, { stream, startedAt: 0 });
    vi.advanceTimersByTime(100);
    tracker.emit({ kind: 'started', task: tasks[0] ?? base });
    tracker.emit({ kind: 'failed', task: { ...base, name: 'lemma', status: 'failed', error: 'no proof found' } });
    vi.advanceTimersByTime(100);
    const frame = stripAnsi(writes.at(-1) ?? '');
    expect(frame).toContain('failed     lemma: no proof found\n');
    expect(frame).not.toContain('started');
    const [, bar, running] = frame.split('\n');
    expect(bar).toMatch(/^ {2}0\.20s █{20}…$/);
    expect(running).toBe('running: a_task_with_a_rathe…');
    view.stop();
  });

  it('escapes control characters in the names of running tasks and in the lines it logs', () => {
    const tasks = [{ ...base, name: 'x\x1b[2J\x07', status: 'running' as const, attempts: 1, runningSince: 0 }];
    const tracker = fakeTracker(tasks);
    const { stream, writes } = fakeStream();
    const view = createTerminalProgress(tracker, { stream, startedAt: 0 });
    tracker.emit({ kind: 'failed', task: { ...base, name: 'y\r', status: 'failed', error: 'no\x1bc proof' } });
    vi.advanceTimersByTime(100);
    const frame = writes.at(-1) ?? '';
    expect(frame).toContain('running: x\\x1b[2J\\x07 0.10s');
    expect(frame).toContain('y\\r: no\\x1bc proof');
    expect(frame).not.toMatch(/\x07|\x1bc|\x1b\[2J|y\r/);
    view.stop();
  });
});

describe('createLineProgress', () => {
  it('writes one plain line per state change and nothing once stopped', () => {
    const tracker = fakeTracker([]);
    const { stream, writes } = fakeStream();
    const view = createLineProgress(tracker, { stream, startedAt: Date.now() });
    tracker.emit({ kind: 'started', task: { ...base, name: 'prove', status: 'running', attempts: 2 } });
    tracker.emit({ kind: 'retrying', task: { ...base, name: 'prove', attempts: 2, error: 'timed out' }, delayMs: 2000 });
    tracker.emit({ kind: 'completed', task: { ...base, name: 'prove', status: 'completed', durationMs: 1500, output: 'line 1\nQED\n' } });
    view.stop();
    tracker.emit({ kind: 'cancelled', task: { ...base, name: 'late', status: 'cancelled' } });
    expect(writes.map((line) => line.replace(/^ +\d+\.\d\ds {2}/, ''))).toEqual([
      'started    prove (attempt 2)\n',
      'retrying   prove: attempt 2 failed, retry in 2.00s: timed out\n',
      'completed  prove in 1.50s: QED\n',
    ]);
  });
});
