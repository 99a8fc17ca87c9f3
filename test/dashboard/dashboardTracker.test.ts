import { afterEach, describe, expect, it, vi } from 'vitest';
import { assign, createActor, createMachine } from 'xstate';
import { createCoalescer } from '../../src/dashboard/createCoalescer.js';
import { createTaskTracker } from '../../src/dashboard/createTaskTracker.js';

const childMachine = createMachine({
  id: 'task',
  initial: 'pending',
  context: { attempt: 0 },
  states: {
    pending: { initial: 'queued', states: { queued: { on: { start: '#task.running' } }, backoff: { on: { retry: 'queued' } } } },
    running: {
      entry: assign({ attempt: ({ context }) => context.attempt + 1 }),
      on: { fail: 'pending.backoff', done: 'completed' },
    },
    completed: { type: 'final' },
  },
});
const rootMachine = createMachine({ id: 'root' });

/** A tracker over a bare root; `slots` stands for the records' worker slots (a scheduler's `TaskRecord.slot`). */
function setup(onChange = () => {}, taskLimit?: number) {
  let time = 1000;
  const root = createActor(rootMachine).start();
  const slots = new Map<string, number>();
  const tracker = createTaskTracker({ root, now: () => time, onChange, runLimit: 3, slotOf: (id) => slots.get(id), ...(taskLimit === undefined ? {} : { taskLimit }) });
  root.system.inspect(tracker.observer);
  const spawn = (id: string) => createActor(childMachine, { parent: root, id }).start();
  return { tracker, spawn, tick: (ms: number) => (time += ms), root, slots };
}

describe('createTaskTracker', () => {
  it('records each child of the root with its state path, history and times', () => {
    const { tracker, spawn, tick } = setup();
    const task = spawn('a');
    tick(5);
    task.send({ type: 'start' });
    tick(10);
    task.send({ type: 'done' });
    expect(tracker.stateOf('a')).toBe('completed');
    expect(tracker.history('a')).toEqual([
      { at: 1000, from: null, to: 'pending.queued', event: 'xstate.init' },
      { at: 1005, from: 'pending.queued', to: 'running', event: 'start' },
      { at: 1015, from: 'running', to: 'completed', event: 'done' },
    ]);
    expect(tracker.takeChangedTasks()).toEqual(['a']);
    expect(tracker.takeChangedTasks()).toEqual([]);
  });

  it('follows a task without an actor through noted states, and lets inspection alone move one it has seen', () => {
    const { tracker, spawn, tick } = setup();
    tracker.noteState('d', 'pending.queued', 'task:scheduled');
    tick(5);
    tracker.noteState('d', 'pending.paused', 'task:waiting');
    tracker.noteState('d', 'pending.paused', 'task:waiting');
    expect(tracker.history('d')).toEqual([
      { at: 1000, from: null, to: 'pending.queued', event: 'task:scheduled' },
      { at: 1005, from: 'pending.queued', to: 'pending.paused', event: 'task:waiting' },
    ]);
    const live = spawn('a');
    live.send({ type: 'start' });
    // An event sent while `a` was still queued arrives after inspection saw it start: it is stale.
    tracker.noteState('a', 'pending.queued', 'task:waiting');
    expect(tracker.stateOf('a')).toBe('running');
    expect(tracker.history('a').map((entry) => entry.to)).toEqual(['pending.queued', 'running']);
  });

  it('forgets the oldest finished tasks first past taskLimit, and a waiting task only when none finished is left', () => {
    const { tracker } = setup(undefined, 2);
    tracker.noteState('waiting', 'pending.dependencies', 'task:scheduled');
    tracker.noteState('done', 'pending.queued', 'task:scheduled');
    tracker.noteState('done', 'completed', 'task:completed');
    tracker.noteState('new', 'pending.queued', 'task:scheduled');
    expect(tracker.history('done')).toEqual([]);
    expect(tracker.history('waiting').map((entry) => entry.to)).toEqual(['pending.dependencies']);
    tracker.noteState('newer', 'pending.queued', 'task:scheduled');
    expect(tracker.history('waiting')).toEqual([]);
    expect(tracker.stateOf('new')).toBe('pending.queued');
    expect(tracker.stateOf('newer')).toBe('pending.queued');
  });

  it('draws a run for an attempt whose result came before its active report, and none for one withdrawn', () => {
    const dispatchedMachine = createMachine({
      id: 'task',
      initial: 'pending',
      context: { attempt: 1 },
      states: {
        pending: { initial: 'dispatched', states: { dispatched: { on: { done: '#task.completed', cancel: '#task.cancelled' } } } },
        completed: { type: 'final' },
        cancelled: { type: 'final' },
      },
    });
    const { tracker, root, tick, slots } = setup();
    tracker.notePlaced('ran', 1, 'gpu');
    slots.set('ran', 1);
    const ran = createActor(dispatchedMachine, { parent: root, id: 'ran' }).start();
    const withdrawn = createActor(dispatchedMachine, { parent: root, id: 'withdrawn' }).start();
    tick(5);
    // Its slot is given back before inspection sees it completed: the run keeps the one it held while dispatched.
    slots.delete('ran');
    ran.send({ type: 'done' });
    withdrawn.send({ type: 'cancel' });
    expect(tracker.runs()).toEqual([{ task: 'ran', attempt: 1, slot: 1, start: 1005, end: 1005, outcome: 'completed', node: 'gpu' }]);
  });

  it('shows each run in the worker slot its record names, and closes it with its outcome', () => {
    const { tracker, spawn, tick, slots } = setup();
    const [a, b, c] = [spawn('a'), spawn('b'), spawn('c')];
    slots.set('a', 0).set('b', 1);
    a.send({ type: 'start' });
    b.send({ type: 'start' });
    tick(10);
    slots.delete('a');
    a.send({ type: 'fail' });
    slots.set('c', 0);
    c.send({ type: 'start' });
    const runs = tracker.takeChangedRuns().map(({ task, attempt, slot, end, outcome }) => ({ task, attempt, slot, end, outcome }));
    expect(runs).toEqual([
      { task: 'a', attempt: 1, slot: 0, end: 1010, outcome: 'pending.backoff' },
      { task: 'b', attempt: 1, slot: 1, end: null, outcome: null },
      { task: 'c', attempt: 1, slot: 0, end: null, outcome: null },
    ]);
  });

  it('keeps the slot an attempt held when it started, whichever order its end and the next start are seen in', () => {
    const { tracker, spawn, slots } = setup(() => {});
    const [a, b, c] = [spawn('a'), spawn('b'), spawn('c')];
    slots.set('a', 0);
    a.send({ type: 'start' });
    // The scheduler gave a's slot to b before inspection saw a end (its parent reacts first).
    slots.delete('a');
    slots.set('b', 0);
    b.send({ type: 'start' });
    a.send({ type: 'done' });
    expect(tracker.takeChangedRuns().map(({ task, slot }) => [task, slot])).toEqual([
      ['a', 0],
      ['b', 0],
    ]);
    slots.set('c', 1);
    c.send({ type: 'start' });
    expect(tracker.takeChangedRuns().map(({ task, slot }) => [task, slot])).toEqual([['c', 1]]);
  });

  it('ignores actors that are not children of the root but still reports activity', () => {
    const onChange = vi.fn();
    const { tracker, root } = setup(onChange);
    createActor(childMachine, { parent: createActor(rootMachine, { parent: root }) }).start();
    expect(tracker.takeChangedTasks()).toEqual([]);
    expect(onChange).toHaveBeenCalled();
  });

  it('keeps only the newest runs past runLimit and outlines the child statechart', () => {
    const { tracker, spawn } = setup();
    for (const id of ['a', 'b', 'c', 'd', 'e']) {
      const task = spawn(id);
      task.send({ type: 'start' });
      task.send({ type: 'done' });
    }
    expect(tracker.runs().map((run) => run.task)).toEqual(['c', 'd', 'e']);
    expect(tracker.statechart()?.states.map((state) => state.path)).toEqual(['pending', 'pending.queued', 'pending.backoff', 'running', 'completed']);
  });
});

describe('createCoalescer', () => {
  afterEach(() => vi.useRealTimers());

  it('runs at most once per interval however many pokes arrive', () => {
    vi.useFakeTimers();
    const run = vi.fn();
    const coalescer = createCoalescer(run, 100);
    for (let i = 0; i < 1000; i += 1) coalescer.poke();
    vi.advanceTimersByTime(0);
    expect(run).toHaveBeenCalledTimes(1);
    for (let i = 0; i < 1000; i += 1) coalescer.poke();
    vi.advanceTimersByTime(99);
    expect(run).toHaveBeenCalledTimes(1);
    vi.advanceTimersByTime(1);
    expect(run).toHaveBeenCalledTimes(2);
    coalescer.stop();
    coalescer.poke();
    vi.advanceTimersByTime(1000);
    expect(run).toHaveBeenCalledTimes(2);
  });
});
