import type { AnyActorRef, AnyMachineSnapshot, InspectionEvent } from 'xstate';
import { describe, expect, it } from 'vitest';
import { taskMachine } from '../../machines/taskMachine.js';
import { createScheduler } from '../../src/core/createScheduler.js';
import { manualWork, settle } from '../support/harness.js';

/** The task actors an inspector sees created, by id. */
function taskActorsSeen(): { inspect: (event: InspectionEvent) => void; refs: Map<string, AnyActorRef> } {
  const refs = new Map<string, AnyActorRef>();
  return {
    refs,
    inspect: (event) => {
      const { id } = event.actorRef as { id?: string };
      if (event.type === '@xstate.actor' && id?.startsWith('t')) refs.set(id, event.actorRef as AnyActorRef);
    },
  };
}

/** What XState itself makes of a task waiting in `value` with `context`. */
function resolved(snapshot: AnyMachineSnapshot): AnyMachineSnapshot {
  return taskMachine.resolveState({ value: snapshot.value, context: snapshot.context }) as AnyMachineSnapshot;
}

// Task actors are created from a snapshot that is live already (a waiting state's, shared by
// every task born in it, with the task's own context), and take it without XState's
// restoreSnapshot rebuilding it. These pin what that must keep.
describe('task actors created from a live waiting snapshot', () => {
  it('are in the state XState resolves for their value, each with its own context', () => {
    const seen = taskActorsSeen();
    const scheduler = createScheduler({ autoStart: false, liveActorLimit: Number.POSITIVE_INFINITY, inspect: seen.inspect });
    scheduler.scheduleTasks([
      { id: 't1', run: async () => 1, retry: { attempts: 3 }, timeoutMs: 500 },
      { id: 't2', run: async () => 2, retry: { attempts: 1 }, timeoutMs: 900 },
      { id: 't3', run: async () => 3, dependencies: ['t1'] },
    ]);
    for (const [id, value] of [['t1', { pending: 'queued' }], ['t2', { pending: 'queued' }], ['t3', { pending: 'dependencies' }]] as const) {
      const snapshot = (seen.refs.get(id) as AnyActorRef).getSnapshot() as AnyMachineSnapshot;
      const expected = resolved(snapshot);
      expect(snapshot.value).toEqual(value);
      expect(snapshot.value).toEqual(expected.value);
      expect([...snapshot.tags]).toEqual([...expected.tags]);
      expect(snapshot._nodes.map((node) => node.id)).toEqual(expected._nodes.map((node) => node.id));
      expect(snapshot.matches(value)).toBe(true);
      expect(snapshot.can({ type: 'task.start' })).toBe(id !== 't3');
      expect(snapshot.children).toEqual({});
      expect(snapshot.context.id).toBe(id);
    }
    const contexts = ['t1', 't2'].map((id) => (seen.refs.get(id) as AnyActorRef).getSnapshot().context);
    expect(contexts.map(({ maxAttempts, timeoutMs }) => ({ maxAttempts, timeoutMs }))).toEqual([
      { maxAttempts: 3, timeoutMs: 500 },
      { maxAttempts: 1, timeoutMs: 900 },
    ]);
  });

  it('move on their own: a task that starts and ends changes no other task waiting in the same state', async () => {
    const seen = taskActorsSeen();
    const work = manualWork();
    const scheduler = createScheduler({ maxWorkers: 1, liveActorLimit: Number.POSITIVE_INFINITY, inspect: seen.inspect, defaultRetry: { attempts: 1 } });
    scheduler.scheduleTasks(['t1', 't2'].map((id) => ({ id, run: work.run })));
    await settle();
    const waiting = (seen.refs.get('t2') as AnyActorRef).getSnapshot() as AnyMachineSnapshot;
    expect((seen.refs.get('t1') as AnyActorRef).getSnapshot().value).toBe('running');
    work.resolve('one', 1);
    await settle();
    expect(scheduler.getTask('t1')).toMatchObject({ status: 'completed', result: 'one', attempts: 1 });
    // t2 took the worker t1 gave back: its own snapshot moved, from its own context.
    expect(waiting.value).toEqual({ pending: 'queued' });
    expect(waiting.context).toMatchObject({ id: 't2', attempt: 0, result: undefined, outcome: undefined });
    const t2 = (seen.refs.get('t2') as AnyActorRef).getSnapshot() as AnyMachineSnapshot;
    expect(t2.value).toBe('running');
    expect(t2.context).toMatchObject({ id: 't2', attempt: 1 });
    work.resolve('two', 2);
    await settle();
    expect(scheduler.getTask('t2')).toMatchObject({ status: 'completed', result: 'two', attempts: 1 });
  });

  it('show the task machine to an inspector (the dashboard draws its definition)', () => {
    const seen = taskActorsSeen();
    const scheduler = createScheduler({ autoStart: false, inspect: seen.inspect });
    scheduler.scheduleTasks([{ id: 't1', run: async () => 1 }]);
    const logic = (seen.refs.get('t1') as AnyActorRef & { logic: typeof taskMachine }).logic;
    expect(logic.id).toBe('task');
    // The dashboard reads `logic.toJSON()`, @statelyai/inspect `logic.config`.
    expect(JSON.parse(JSON.stringify(logic.toJSON()))).toEqual(JSON.parse(JSON.stringify(taskMachine.toJSON())));
    expect(logic.config).toBe(taskMachine.config);
  });
});
