import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { TaskTransition } from '../../src/core/TaskStore.js';
import { sqliteStore } from '../../src/stores/sqlite/sqliteStore.js';
import { appendTransitionRow, fromTransitionRow, toTransitionRow } from '../../src/stores/sqlite/transitionRow.js';
import { storedTask } from '../support/storedTask.js';
import { useTempFolder } from '../support/tempStore.js';

const temp = useTempFolder();

const at = fc.integer({ min: 0, max: 2 ** 41 });
const attempt = fc.integer({ min: 0, max: 9 });
const id = fc.constantFrom('a', 'b');
const error = fc.record({ name: fc.string(), message: fc.string(), stack: fc.option(fc.string(), { nil: undefined }), code: fc.option(fc.string(), { nil: undefined }) });
const result = fc.option(fc.jsonValue(), { nil: undefined });

/**
 * Every kind of transition, with and without its optional fields, present as undefined too (the
 * supervisor writes `cached: entry.cached`, which may be undefined).
 */
const transition = fc.oneof(
  fc.record({ kind: fc.constant('ready' as const), id, at }),
  fc.record({ kind: fc.constantFrom('started' as const, 'active' as const, 'stopped' as const, 'interrupted' as const), id, at, attempt }),
  fc.record({ kind: fc.constant('retrying' as const), id, at, attempt, retryAt: at, error }),
  fc.record({ kind: fc.constant('priority' as const), id, at, priority: fc.constantFrom(1, 2, 3, 4, 5) as fc.Arbitrary<1 | 2 | 3 | 4 | 5> }),
  fc.record(
    { kind: fc.constant('completed' as const), id, at, result, cacheKey: fc.option(fc.string(), { nil: undefined }), cached: fc.option(fc.boolean(), { nil: undefined }) },
    { requiredKeys: ['kind', 'id', 'at', 'result'] },
  ),
  fc.record({ kind: fc.constant('failed' as const), id, at, error }),
  fc.record({ kind: fc.constant('cancelled' as const), id, at, reason: fc.string() }),
  fc.record({ kind: fc.constant('awaiting' as const), id, at, attempt, result }),
) as fc.Arbitrary<TaskTransition>;

describe('transition rows', () => {
  it('appends the same five values toTransitionRow makes, for every kind of transition', () => {
    fc.assert(
      fc.property(fc.array(transition, { maxLength: 8 }), fc.nat(), (transitions, seq) => {
        const rows: unknown[] = [];
        for (const t of transitions) appendTransitionRow(rows, seq, t);
        expect(rows).toEqual(transitions.flatMap((t) => toTransitionRow(seq, t)));
      }),
      { numRuns: 500 },
    );
  });

  it('reads back every appended row as the transition it was (JSON-held fields as JSON holds them)', () => {
    fc.assert(
      fc.property(transition, (t) => {
        const rows: unknown[] = [];
        appendTransitionRow(rows, 7, t);
        const [, kind, when, attemptOf, data] = rows as [number, number, number, number | null, string | null];
        expect(fromTransitionRow(t.id, kind, when, attemptOf, data)).toEqual(JSON.parse(JSON.stringify(t)));
      }),
      { numRuns: 500 },
    );
  });

  it('writes a transaction of more rows than one INSERT takes, and a batch of more tasks, whole and in order', () => {
    const file = temp.path('run.db');
    const store = sqliteStore(file);
    const tasks = Array.from({ length: 75 }, (_, i) => storedTask(`t${i}`, i));
    store.addTasks(tasks);
    // 75 starts, then 75 outcomes: 150 rows in one commit, written 32 at a time.
    for (const task of tasks) store.record({ kind: 'started', id: task.id, at: 10 + task.seq, attempt: 1 });
    for (const task of tasks) {
      store.record(task.seq % 2 === 0 ? { kind: 'completed', id: task.id, at: 100 + task.seq, result: task.seq } : { kind: 'failed', id: task.id, at: 100 + task.seq, error: { name: 'Error', message: `no ${task.seq}` } });
    }
    expect(store.uncommitted).toBe(150);
    store.commit();
    expect(store.uncommitted).toBe(0);
    store.close();

    const again = sqliteStore(file);
    const states = again.load();
    again.close();
    expect(states.map((state) => state.task)).toEqual(tasks);
    states.forEach((state, i) => {
      expect(state).toMatchObject({ attempt: 1, startedAt: 10 + i, completedAt: 100 + i });
      if (i % 2 === 0) expect(state).toMatchObject({ status: 'completed', result: i });
      else expect(state).toMatchObject({ status: 'failed', error: { message: `no ${i}` } });
    });
  });
});
