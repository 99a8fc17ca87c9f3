import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createScheduler } from '../../src/core/createScheduler.js';
import { TaskSchedulingError } from '../../src/errors.js';
import type { TaskSpec } from '../../src/types.js';

/** A spec with no id (the scheduler makes one) or with an id a user might choose, numbers among them. */
const specArb = fc.option(fc.oneof(fc.integer({ min: 1, max: 12 }).map((n) => `task-${n}`), fc.integer({ min: 1, max: 12 }).map(String)), { nil: undefined });
/** Batches of specs, scheduled one after another: user ids come before, between and after generated ones. */
const batchesArb = fc.array(fc.array(specArb, { minLength: 1, maxLength: 5 }), { minLength: 1, maxLength: 6 });

describe('generated task ids', () => {
  it('never meet an id a user chose, whichever comes first, and a user id is refused only when a task holds it already', () => {
    const seen = { refused: 0, generated: 0, chosen: 0 };
    fc.assert(
      fc.property(batchesArb, (batches) => {
        const scheduler = createScheduler({ autoStart: false, handlers: { generic: () => undefined } });
        const held = new Set<string>();
        const generated = new Set<string>();
        for (const batch of batches) {
          const specs: TaskSpec[] = batch.map((id) => (id === undefined ? {} : { id }));
          const chosen = batch.filter((id): id is string => id !== undefined);
          const clash = chosen.some((id, i) => held.has(id) || chosen.indexOf(id) !== i);
          if (clash) {
            // A user id a task holds already (or one given twice): refused, nothing of the batch admitted.
            expect(() => scheduler.scheduleTasks(specs)).toThrow(TaskSchedulingError);
            seen.refused++;
            continue;
          }
          const ids = scheduler.scheduleTasks(specs);
          batch.forEach((id, i) => {
            if (id !== undefined) expect(ids[i]).toBe(id);
            else generated.add(ids[i] as string);
            seen[id === undefined ? 'generated' : 'chosen']++;
          });
          for (const id of ids) held.add(id);
          expect(new Set(ids).size).toBe(ids.length);
        }
        // Only an id a user chose is ever refused, never because the scheduler made it first.
        for (const id of generated) expect(() => scheduler.scheduleTask({ id })).toThrow(/does not start with "#"/);
        expect(scheduler.listTasks().map((task) => task.id).sort()).toEqual([...held].sort());
      }),
      { numRuns: 300 },
    );
    // Every branch was exercised: generated ids, chosen ones, and refused batches.
    expect(Math.min(seen.refused, seen.generated, seen.chosen)).toBeGreaterThan(0);
  });

  it('start with "#", which a chosen id may not, so a user may take any other id after them', () => {
    const scheduler = createScheduler({ autoStart: false, handlers: { generic: () => undefined } });
    expect(scheduler.scheduleTasks([{ id: 'task-1' }, {}, { id: 'task-3' }, {}])).toEqual(['task-1', '#1', 'task-3', '#2']);
    expect(scheduler.scheduleTask({ id: '1' })).toBe('1');
    expect(scheduler.scheduleTask({ id: '2' })).toBe('2');
    expect(() => scheduler.scheduleTasks([{}, { id: '#3' }])).toThrow('tasks[1].id: expected an id that does not start with "#" (ids the scheduler makes start with it), received "#3"');
    expect(scheduler.listTasks()).toHaveLength(6);
    expect(scheduler.scheduleTask({})).toBe('#3');
  });
});

describe('task names', () => {
  it('refuses a name of only spaces, naming the field', () => {
    const scheduler = createScheduler({ autoStart: false, handlers: { generic: () => undefined } });
    expect(() => scheduler.scheduleTasks([{ name: 'ok' }, { name: '   ' }])).toThrow('tasks[1].name: expected a string with a character other than spaces, received "   "');
    expect(scheduler.listTasks()).toEqual([]);
  });
});
