import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SimulatedClock } from 'xstate';
import { createScheduler } from '../../src/core/createScheduler.js';
import type { StoredTask } from '../../src/core/TaskStore.js';
import { memoryTaskStore } from '../../src/stores/memoryTaskStore.js';
import { openDatabase } from '../../src/stores/sqlite/openDatabase.js';
import { fromSpecRow, toSpecRow } from '../../src/stores/sqlite/specRow.js';
import { sqliteStore } from '../../src/stores/sqlite/sqliteStore.js';
import type { TaskSpec } from '../../src/types.js';
import { storedTask } from '../support/storedTask.js';
import { useTempFolder } from '../support/tempStore.js';

const temp = useTempFolder();

/** A field at the row's default half the time, anything else the other half. */
const orDefault = <T>(fallback: T, other: fc.Arbitrary<T>): fc.Arbitrary<T> => fc.oneof(fc.constant(fallback), other);
const count = fc.integer({ min: 0, max: 2 ** 41 });
const text = fc.string({ maxLength: 8 });
const json = fc.jsonValue({ maxDepth: 2 });

const anyStoredTask: fc.Arbitrary<StoredTask> = fc
  .record({
    id: fc.string({ minLength: 1, maxLength: 8 }),
    rename: fc.option(text, { nil: undefined }),
    type: text,
    priority: orDefault(3, fc.constantFrom(1, 2, 4, 5)),
    seq: fc.nat(),
    dependencies: fc.uniqueArray(text, { maxLength: 3 }),
    resources: orDefault<Record<string, number>>({}, fc.dictionary(fc.constantFrom('cpu', 'memory', 'gpu'), fc.integer({ min: 0, max: 64 }))),
    config: orDefault<unknown>({}, json),
    hasOwnRun: fc.boolean(),
    timeoutMs: orDefault(300_000, count),
    retry: fc.record({
      attempts: orDefault(4, fc.integer({ min: 1, max: 9 })),
      backoffMs: orDefault(1000, count),
      backoffFactor: orDefault(2, fc.double({ min: 1, max: 10, noNaN: true })),
      maxBackoffMs: orDefault(60_000, count),
    }),
    maxInterruptions: fc.option(orDefault(3, fc.nat({ max: 9 })), { nil: undefined }),
    estimateMs: fc.option(fc.double({ min: 0, max: 1e9, noNaN: true }), { nil: undefined }),
    group: orDefault('default', text),
    createdAt: count,
    dependencyDeadline: fc.option(count, { nil: undefined }),
    cache: fc.option(fc.record({ key: text, inputs: fc.array(text, { maxLength: 2 }) }), { nil: undefined }),
    parent: fc.option(text, { nil: undefined }),
    race: fc.option(fc.array(text, { minLength: 2, maxLength: 3 }), { nil: undefined }),
    work: fc.option(json, { nil: undefined }),
  })
  .map(({ rename, maxInterruptions, cache, parent, race, work, ...task }) => ({
    ...task,
    name: rename ?? task.id,
    ...(maxInterruptions === undefined ? {} : { maxInterruptions }),
    ...(cache === undefined ? {} : { cache: cache as unknown as NonNullable<StoredTask['cache']> }),
    ...(parent === undefined ? {} : { parent }),
    ...(race === undefined ? {} : { race }),
    ...(work === undefined ? {} : { work }),
  }));

/** Spec fields a task may give or leave to the scheduler's defaults. */
const anySpec = (i: number): fc.Arbitrary<TaskSpec> =>
  fc
    .record(
      {
        name: text.map((name) => `n${name}`),
        priority: fc.constantFrom(1, 2, 3, 4, 5, 'high' as const),
        dependencies: fc.subarray(Array.from({ length: i }, (_, j) => `t${j}`), { maxLength: Math.min(i, 2) }),
        resources: fc.record({ cpu: fc.integer({ min: 0, max: 4 }) }, { requiredKeys: [] }),
        config: json,
        timeoutMs: fc.integer({ min: 0, max: 10 ** 7 }),
        retry: fc.record({ attempts: fc.integer({ min: 1, max: 9 }), backoffMs: fc.integer({ min: 0, max: 5000 }) }, { requiredKeys: [] }),
        maxInterruptions: fc.nat({ max: 9 }),
        estimateMs: fc.integer({ min: 0, max: 10 ** 6 }),
        group: fc.oneof(fc.constant('default'), text.map((group) => `g${group}`)),
      },
      { requiredKeys: [] },
    )
    .map((fields) => ({ id: `t${i}`, type: 'noop', ...fields }) as TaskSpec);

const anyBatch = fc.integer({ min: 1, max: 6 }).chain((n) => fc.tuple(...Array.from({ length: n }, (_, i) => anySpec(i))));

const anyDefaults = fc.record(
  {
    defaultPriority: fc.constantFrom(1, 3, 5),
    defaultTimeoutMs: fc.constantFrom(300_000, 1000),
    defaultRetry: fc.record({ attempts: fc.integer({ min: 1, max: 9 }), maxBackoffMs: fc.constantFrom(60_000, 500) }, { requiredKeys: [] }),
    maxInterruptions: fc.constantFrom(3, 0, 7),
  },
  { requiredKeys: [] },
);

describe('spec rows', () => {
  it('gives back every stored task from its row, its columns and the fields left out at their defaults, as a version 4 row gave it back', () => {
    fc.assert(
      fc.property(anyStoredTask, (task) => {
        // What a version 4 row (the whole task as JSON) read back: JSON's own losses (-0 is 0) are the same.
        expect(fromSpecRow(task.seq, task.id, toSpecRow(task))).toEqual(JSON.parse(JSON.stringify(task)));
      }),
      { numRuns: 500 },
    );
  });

  it('writes a task at the defaults as its type and creation time alone', () => {
    const task = storedTask('a', 0, [], { hasOwnRun: false, timeoutMs: 300_000, retry: { attempts: 4, backoffMs: 1000, backoffFactor: 2, maxBackoffMs: 60_000 }, maxInterruptions: 3 });
    expect(toSpecRow(task)).toBe('{"type":"generic","createdAt":5}');
    expect(fromSpecRow(0, 'a', toSpecRow(task))).toEqual(task);
  });

  it('restores any normalized task spec from an SQLite file as the scheduler stored it, under any scheduler defaults', async () => {
    await fc.assert(
      fc.asyncProperty(anyBatch, anyDefaults, async (specs, defaults) => {
        const stored = async (store: ReturnType<typeof memoryTaskStore> | ReturnType<typeof sqliteStore>): Promise<void> => {
          const scheduler = createScheduler({ ...defaults, store, clock: new SimulatedClock(), autoStart: false, handlers: { noop: async () => {} } });
          scheduler.scheduleTasks(specs);
          await scheduler.stop({ graceMs: 0 });
        };
        const memory = memoryTaskStore();
        await stored(memory);
        const file = temp.path(`run-${Math.random().toString(36).slice(2)}.db`);
        const writer = sqliteStore(file);
        await stored(writer);
        writer.close();
        const reader = sqliteStore(file, { readOnly: true });
        const restored = reader.load().map((state) => state.task);
        reader.close();
        // As JSON gives it back (a config's -0 is 0), as every version of the file did.
        expect(restored).toEqual(JSON.parse(JSON.stringify(memory.load().map((state) => state.task))));
      }),
      { numRuns: 40 },
    );
  });

  it('reads a version 4 file, whose rows hold whole tasks, and writes new rows beside them when a run resumes it', () => {
    const file = temp.path('run.db');
    const old = [
      storedTask('a', 0, [], { name: 'first', config: { n: 1 }, maxInterruptions: 2, work: { command: 'echo' } }),
      // Written before maxInterruptions existed: the resuming scheduler's applies.
      storedTask('b', 1, ['a'], { priority: 5, dependencyDeadline: 9000 }),
    ];
    sqliteStore(file).close();
    // What version 4 wrote: the whole task as JSON, seq and id included.
    const db = openDatabase(file);
    const insert = db.prepare('INSERT INTO tasks (seq, id, spec) VALUES (?, ?, ?)');
    for (const task of old) insert.run(task.seq, task.id, JSON.stringify(task));
    db.exec("UPDATE meta SET value = '4' WHERE key = 'version'");
    db.close();

    const reader = sqliteStore(file, { readOnly: true });
    expect(reader.load().map((state) => state.task)).toEqual(old);
    reader.close();

    const resumed = sqliteStore(file);
    expect(resumed.load().map((state) => state.task)).toEqual(old);
    const added = storedTask('c', 2, ['b'], { hasOwnRun: false });
    resumed.addTasks([added]);
    resumed.close();
    const again = sqliteStore(file, { readOnly: true });
    expect(again.load().map((state) => state.task)).toEqual([...old, added]);
    again.close();
    const check = openDatabase(file);
    const rows = check.prepare('SELECT id, spec FROM tasks ORDER BY seq').all() as { id: string; spec: string }[];
    const version = check.prepare("SELECT value FROM meta WHERE key = 'version'").get() as { value: string };
    check.close();
    expect(version.value).toBe('5');
    expect(rows.map((row) => [row.id, 'seq' in (JSON.parse(row.spec) as object)])).toEqual([
      ['a', true],
      ['b', true],
      ['c', false],
    ]);
  });
});
