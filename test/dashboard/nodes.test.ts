import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { assign, createActor, createMachine } from 'xstate';
import { createScheduler } from '../../src/core/createScheduler.js';
import { createDashboardFeed } from '../../src/dashboard/createDashboardFeed.js';
import { createTaskTracker, recordedSlotOf } from '../../src/dashboard/createTaskTracker.js';
import { DashboardOptionsError } from '../../src/dashboard/DashboardOptionsError.js';
import type { DashboardMessage, NodeView } from '../../src/dashboard/protocol.js';
import { startDashboard, type Dashboard } from '../../src/dashboard/startDashboard.js';
import type { Attempt, Executor, OutcomeSink } from '../../src/core/Executor.js';
import type { Scheduler } from '../../src/core/scheduler.js';

/** An executor with nodes, as a distributed one looks from the scheduler: it places each attempt, then runs it when told. */
function placingExecutor(nodeOf: (taskId: string) => string) {
  const held = new Map<string, { attempt: Attempt; report: OutcomeSink }>();
  const executor: Executor = {
    name: 'placing',
    start(attempt, report) {
      held.set(attempt.taskId, { attempt, report });
      attempt.placed(nodeOf(attempt.taskId));
    },
    abort(taskId, attempt, reason) {
      const entry = held.get(taskId);
      if (entry?.attempt.attempt !== attempt) return;
      held.delete(taskId);
      entry.report(taskId, attempt, { ok: false, error: reason });
    },
    get inFlight() {
      return held.size;
    },
    onSettled: () => Promise.resolve(),
  };
  const finish = (taskId: string): void => {
    const entry = held.get(taskId);
    if (entry === undefined) throw new Error(`${taskId} is not held`);
    held.delete(taskId);
    entry.report(taskId, entry.attempt.attempt, { ok: true, result: null });
  };
  return { executor, finish };
}

const node = (name: string, isUp: boolean, running = 0): NodeView => ({
  name,
  isUp,
  workers: isUp ? 1 : 0,
  concurrency: isUp ? 2 : 0,
  placed: running,
  running,
  resources: { gpu: 2 },
  used: { gpu: running },
});

describe('createTaskTracker.notePlaced', () => {
  const taskMachine = createMachine({
    id: 'task',
    initial: 'pending',
    context: { attempt: 0 },
    states: { pending: { on: { start: { target: 'running', actions: assign({ attempt: ({ context }) => context.attempt + 1 }) } } }, running: { on: { done: 'completed' } }, completed: { type: 'final' } },
  });

  it('puts the node on the run of that attempt, whether it is heard after or before the run starts', () => {
    const root = createActor(createMachine({ id: 'root' })).start();
    let pokes = 0;
    const tracker = createTaskTracker({ root, now: () => 0, onChange: () => pokes++, slotOf: () => 0 });
    root.system.inspect(tracker.observer);
    const a = createActor(taskMachine, { parent: root, id: 'a' }).start();
    const b = createActor(taskMachine, { parent: root, id: 'b' }).start();
    a.send({ type: 'start' });
    tracker.takeChangedRuns();
    const before = pokes;
    tracker.notePlaced('a', 1, 'gpu-1');
    expect(pokes).toBe(before + 1);
    expect(tracker.takeChangedRuns().map(({ task, node }) => ({ task, node }))).toEqual([{ task: 'a', node: 'gpu-1' }]);
    tracker.notePlaced('a', 7, 'elsewhere'); // another attempt: not this run's node
    tracker.notePlaced('b', 1, 'cpu-2'); // heard before b runs
    b.send({ type: 'start' });
    expect(tracker.runs().map(({ task, node }) => ({ task, node }))).toEqual([
      { task: 'a', node: 'gpu-1' },
      { task: 'b', node: 'cpu-2' },
    ]);
  });
});

describe('dashboard feed with nodes', () => {
  let scheduler: Scheduler | undefined;
  let dashboard: Dashboard | undefined;
  afterEach(async () => {
    await dashboard?.close();
    await scheduler?.stop();
    dashboard = scheduler = undefined;
  });

  it('reports the source nodes in the snapshot, again in a patch only when they change, and the node of each task and run', async () => {
    const { executor, finish } = placingExecutor((id) => (id === 'x' ? 'a' : 'b'));
    scheduler = createScheduler({ executor, maxWorkers: 4 });
    const root = scheduler.actor;
    const tracker = createTaskTracker({ root, now: Date.now, onChange: () => undefined, slotOf: recordedSlotOf(scheduler) });
    root.system.inspect(tracker.observer);
    scheduler.events.on('task:placed', ({ task, attempt, node: where }) => tracker.notePlaced(task.id, attempt, where));
    let nodes: NodeView[] = [node('a', true), node('b', false)];
    let failing = false;
    const feed = createDashboardFeed(scheduler, tracker, {
      canControl: true,
      queueLimit: 5,
      now: Date.now,
      nodes: () => {
        if (failing) throw new Error('source broke');
        return nodes;
      },
    });
    scheduler.scheduleTasks([{ id: 'x', type: 'noop' }, { id: 'y', type: 'noop' }].map((spec) => ({ ...spec, run: () => null })));
    await new Promise((resolve) => setTimeout(resolve, 20));

    const snapshot = feed.snapshot();
    expect(snapshot.nodes).toEqual(nodes);
    expect(snapshot.tasks.map(({ id, node: where }) => ({ id, node: where }))).toEqual([
      { id: 'x', node: 'a' },
      { id: 'y', node: 'b' },
    ]);
    expect(snapshot.runs.map(({ task, node: where }) => `${task}@${where}`)).toEqual(['x@a', 'y@b']);
    expect(feed.patch().nodes).toEqual(nodes); // the first patch after connecting carries them
    expect(feed.hasNodeChanges()).toBe(false);
    expect(feed.patch().nodes).toBeUndefined();

    nodes = [node('a', true, 1), node('b', true)];
    expect(feed.hasNodeChanges()).toBe(true);
    expect(feed.patch().nodes).toEqual(nodes);
    failing = true; // a source that throws leaves the last answer standing
    expect(feed.hasNodeChanges()).toBe(false);
    expect(feed.snapshot().nodes).toEqual(nodes);
    failing = false;

    finish('x');
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(feed.detail('x')?.task.node).toBe('a');
    expect(feed.patch().runs.find((run) => run.task === 'x')).toMatchObject({ node: 'a', outcome: 'completed' });
    finish('y');
  });

  it('has no nodes without a source, and refuses a source that is not a function', async () => {
    scheduler = createScheduler({ maxWorkers: 1 });
    const tracker = createTaskTracker({ root: scheduler.actor, now: Date.now, onChange: () => undefined, slotOf: recordedSlotOf(scheduler) });
    const feed = createDashboardFeed(scheduler, tracker, { canControl: false, queueLimit: 5, now: Date.now });
    expect(feed.snapshot().nodes).toBeNull();
    expect(feed.patch().nodes).toBeUndefined();
    expect(feed.hasNodeChanges()).toBe(false);
    await expect(startDashboard(scheduler, { nodes: [] as never })).rejects.toThrow(DashboardOptionsError);
    await expect(startDashboard(scheduler, { nodes: [] as never })).rejects.toThrow(/option "nodes": expected a function/);
  });

  it('pushes a node going down to the page though no task changed, and the node of each attempt over the socket', async () => {
    const { executor, finish } = placingExecutor(() => 'a');
    scheduler = createScheduler({ executor, maxWorkers: 2 });
    let nodes: NodeView[] = [node('a', true)];
    dashboard = await startDashboard(scheduler, { throttleMs: 10, nodes: () => nodes });
    const messages: DashboardMessage[] = [];
    const socket = new WebSocket(dashboard.url.replace(/^http/, 'ws') + 'ws');
    socket.on('message', (data) => messages.push(JSON.parse(String(data)) as DashboardMessage));
    await new Promise((resolve) => socket.once('message', resolve));
    expect(messages[0]).toMatchObject({ type: 'snapshot', nodes: [{ name: 'a', isUp: true }] });

    scheduler.scheduleTask({ id: 't', run: () => null });
    await expect.poll(() => messages.flatMap((message) => message.runs).find((run) => run.task === 't')?.node).toBe('a');
    finish('t');
    await scheduler.onIdle();

    nodes = [node('a', false)];
    await expect.poll(() => messages.at(-1)?.nodes?.[0]?.isUp, { timeout: 3000 }).toBe(false);
    socket.close();
  });
});
