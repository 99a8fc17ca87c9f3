import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createActor, getInitialSnapshot, transition, type SnapshotFrom } from 'xstate';
import { getAdjacencyMap, getShortestPaths, getSimplePaths } from 'xstate/graph';
import { taskMachine, type TaskMachineEvent, type TaskMachineInput } from '../../machines/taskMachine.js';
import { TaskTimeoutError } from '../../src/errors.js';
import { taskLogic } from '../../src/core/TaskActors.js';

type TaskSnapshot = SnapshotFrom<typeof taskMachine>;
type AnyTaskEvent = TaskMachineEvent | { type: string };

const input: TaskMachineInput = { id: 't', maxAttempts: 2, timeoutMs: 100, backoffMs: 10, backoffFactor: 2, maxBackoffMs: 1000 };

/** The runtime's deadlines arrive as these events; the graph tries them like any other. */
const TIMEOUT_1 = { type: 'task.timeout', attempt: 1 } as const;
const TIMEOUT_2 = { type: 'task.timeout', attempt: 2 } as const;
const RETRY_DUE = { type: 'task.retry' } as const;

const EVENTS: readonly AnyTaskEvent[] = [
  { type: 'task.ready' },
  { type: 'task.start' },
  { type: 'task.dispatch' },
  { type: 'task.active', attempt: 1 },
  { type: 'task.active', attempt: 2 },
  { type: 'task.block' },
  { type: 'task.succeed', attempt: 1, result: 'r1' },
  { type: 'task.succeed', attempt: 2, result: 'r2' },
  { type: 'task.fail', attempt: 1, error: new Error('f1') },
  { type: 'task.fail', attempt: 2, error: new Error('f2') },
  { type: 'task.fail', attempt: 1, error: new Error('refused'), final: true },
  { type: 'task.cancel', reason: 'user' },
  { type: 'task.upstreamFailed', error: new Error('upstream') },
  { type: 'task.pause' },
  { type: 'task.resume' },
  TIMEOUT_1,
  TIMEOUT_2,
  RETRY_DUE,
  { type: 'task.awaitChildren', attempt: 1, result: 'w1' },
  { type: 'task.awaitChildren', attempt: 2, result: 'w2' },
  { type: 'task.race' },
  { type: 'task.childrenDone', result: 'c' },
];

const leaf = (snapshot: TaskSnapshot): string =>
  typeof snapshot.value === 'string' ? snapshot.value : `pending.${String((snapshot.value as { pending: string }).pending)}`;
const serialize = (snapshot: TaskSnapshot): string => `${leaf(snapshot)}#${snapshot.context.attempt}`;
const options = {
  input,
  events: EVENTS as TaskMachineEvent[],
  serializeState: (snapshot: TaskSnapshot) => serialize(snapshot),
};

const FINAL = ['completed', 'failed', 'cancelled'];

describe('taskMachine', () => {
  const adjacency = getAdjacencyMap(taskMachine, options);
  const edges = Object.values(adjacency).flatMap((node) =>
    (Object.values(node.transitions) as { event: AnyTaskEvent; state: TaskSnapshot }[]).map((t) => ({
      from: serialize(node.state),
      event: t.event.type,
      to: serialize(t.state),
    })),
  );

  it('reaches every state of the chart', () => {
    const reached = new Set(Object.values(adjacency).map((node) => leaf(node.state)));
    expect([...reached].sort()).toEqual(
      [
        'cancelled',
        'completed',
        'failed',
        'pending.backoff',
        'pending.children',
        'pending.dependencies',
        'pending.dispatched',
        'pending.paused',
        'pending.queued',
        'pending.resources',
        'running',
      ].sort(),
    );
  });

  it('has exactly the legal transitions and no others', () => {
    const moves = new Set(
      edges.filter((e) => e.from.split('#')[0] !== e.to.split('#')[0]).map((e) => `${e.from.split('#')[0]} --${e.event}--> ${e.to.split('#')[0]}`),
    );
    expect([...moves].sort()).toEqual(
      [
        'pending.dependencies --task.ready--> pending.queued',
        'pending.dependencies --task.cancel--> cancelled',
        'pending.dependencies --task.upstreamFailed--> failed',
        'pending.queued --task.start--> running',
        'pending.queued --task.dispatch--> pending.dispatched',
        'pending.resources --task.dispatch--> pending.dispatched',
        'pending.dispatched --task.active--> running',
        'pending.dispatched --task.succeed--> completed',
        'pending.dispatched --task.fail--> pending.backoff',
        'pending.dispatched --task.fail--> failed',
        'pending.dispatched --task.cancel--> cancelled',
        'pending.dispatched --task.upstreamFailed--> failed',
        'pending.queued --task.pause--> pending.paused',
        'pending.queued --task.cancel--> cancelled',
        'pending.queued --task.upstreamFailed--> failed',
        'pending.queued --task.block--> pending.resources',
        'pending.resources --task.start--> running',
        'pending.resources --task.pause--> pending.paused',
        'pending.resources --task.cancel--> cancelled',
        'pending.resources --task.upstreamFailed--> failed',
        'pending.paused --task.resume--> pending.queued',
        'pending.paused --task.cancel--> cancelled',
        'pending.paused --task.upstreamFailed--> failed',
        'pending.backoff --task.retry--> pending.queued',
        'pending.backoff --task.cancel--> cancelled',
        'pending.backoff --task.upstreamFailed--> failed',
        'running --task.succeed--> completed',
        'running --task.fail--> pending.backoff',
        'running --task.fail--> failed',
        'running --task.timeout--> pending.backoff',
        'running --task.timeout--> failed',
        'running --task.cancel--> cancelled',
        'running --task.awaitChildren--> pending.children',
        'running --task.upstreamFailed--> failed',
        'pending.queued --task.race--> pending.children',
        'pending.children --task.childrenDone--> completed',
        'pending.children --task.cancel--> cancelled',
        'pending.children --task.upstreamFailed--> failed',
      ].sort(),
    );
  });

  it('never leaves a final state, whatever the event', () => {
    for (const edge of edges) {
      if (FINAL.includes(edge.from.split('#')[0] as string)) expect(edge.to).toBe(edge.from);
    }
  });

  it('retries through backoff only while attempts remain, never through a final state', () => {
    expect(edges).toContainEqual({ from: 'running#1', event: 'task.fail', to: 'pending.backoff#1' });
    expect(edges).toContainEqual({ from: 'running#2', event: 'task.fail', to: 'failed#2' });
    expect(edges).toContainEqual({ from: 'running#2', event: 'task.timeout', to: 'failed#2' });
    expect(edges.filter((e) => e.from.startsWith('running#') && e.to.startsWith('running#'))).toEqual(
      edges.filter((e) => e.from.startsWith('running#') && e.to === e.from),
    );
  });

  it('fails at once on a final failure, with attempts left: a retry would meet the same refusal', () => {
    // The plain failure backs off, the final one (same event type, `final: true`) fails.
    expect(edges).toContainEqual({ from: 'running#1', event: 'task.fail', to: 'pending.backoff#1' });
    expect(edges).toContainEqual({ from: 'running#1', event: 'task.fail', to: 'failed#1' });
    const queued = taskLogic.resolveState({ value: { pending: 'queued' }, context: getInitialSnapshot(taskMachine, { ...input, maxAttempts: 4 }).context });
    const [running] = transition(taskMachine, queued, { type: 'task.start' });
    const [failed] = transition(taskMachine, running, { type: 'task.fail', attempt: 1, error: new Error('refused'), final: true });
    expect([leaf(failed), failed.context.attempt, failed.context.error?.message]).toEqual(['failed', 1, 'refused']);
    const [backoff] = transition(taskMachine, running, { type: 'task.fail', attempt: 1, error: new Error('flaky'), final: false });
    expect(leaf(backoff)).toBe('pending.backoff');
  });

  it('ignores an outcome or a timeout that belongs to another attempt', () => {
    expect(edges).toContainEqual({ from: 'running#2', event: 'task.succeed', to: 'running#2' }); // attempt-1 result
    expect(edges).toContainEqual({ from: 'running#2', event: 'task.timeout', to: 'running#2' }); // attempt-1 deadline
    const running1 = edges.filter((e) => e.from === 'running#1' && e.event === 'task.succeed').map((e) => e.to);
    expect(running1).toContain('completed#1');
    expect(running1).toContain('running#1');
  });

  it('ignores a late active report, and a timeout while the attempt only waits for a worker', () => {
    expect(edges).toContainEqual({ from: 'pending.dispatched#2', event: 'task.active', to: 'pending.dispatched#2' }); // attempt 1's
    expect(edges).toContainEqual({ from: 'pending.dispatched#1', event: 'task.timeout', to: 'pending.dispatched#1' });
    expect(edges).toContainEqual({ from: 'running#1', event: 'task.active', to: 'running#1' }); // a repeated report
    expect(edges).toContainEqual({ from: 'pending.dispatched#1', event: 'task.succeed', to: 'completed#1' });
  });

  it('hands an interrupted attempt back while the runtime\'s count is within budget (one more run allowed, no retry used), and fails past it', () => {
    const interrupted = (attempt: number, interruptions: number, maxInterruptions: number) =>
      ({ type: 'task.interrupted', attempt, interruptions, maxInterruptions, error: new Error(`interrupted ${interruptions}`) }) as const;
    const queued = taskLogic.resolveState({ value: { pending: 'queued' }, context: getInitialSnapshot(taskMachine, { ...input, maxAttempts: 1 }).context });
    const [running] = transition(taskMachine, queued, { type: 'task.start' });
    const [dispatched] = transition(taskMachine, queued, { type: 'task.dispatch' });
    const names = (actions: readonly { type: string }[]) => actions.map((action) => action.type).filter((type) => !type.startsWith('xstate.'));

    const [back, backActions] = transition(taskMachine, running, interrupted(1, 1, 1));
    expect([leaf(back), back.context.attempt, back.context.maxAttempts]).toEqual(['pending.queued', 1, 2]);
    expect(names(backActions)).toEqual(['abortWork', 'requeue']); // the hand-back is an assign: seen in maxAttempts
    const [fromDispatched, dispatchedActions] = transition(taskMachine, dispatched, interrupted(1, 1, 3));
    expect([leaf(fromDispatched), fromDispatched.context.maxAttempts]).toEqual(['pending.queued', 2]);
    expect(names(dispatchedActions)).toEqual(['withdrawWork', 'requeue']);

    const [failed] = transition(taskMachine, running, interrupted(1, 2, 1));
    expect([leaf(failed), failed.context.error?.message, failed.output?.status]).toEqual(['failed', 'interrupted 2', 'failed']);
    const [failedDispatched] = transition(taskMachine, dispatched, interrupted(1, 1, 0));
    expect(leaf(failedDispatched)).toBe('failed');
    // Another attempt's interruption changes nothing.
    expect(transition(taskMachine, running, interrupted(2, 1, 3))[0].value).toBe('running');
  });

  it('replays every shortest and simple path on a live actor, with the effects it promises', () => {
    const paths = [...getShortestPaths(taskMachine, options), ...getSimplePaths(taskMachine, options)];
    expect(paths.length).toBeGreaterThan(20);
    expect(paths.some((path) => path.steps.some((step) => leaf(step.state) === 'pending.dispatched'))).toBe(true);
    for (const path of paths) {
      const effects: string[] = [];
      const actor = createActor(
        taskMachine.provide({
          actions: {
            startWork: ({ context }) => void effects.push(`start:${context.attempt}`, `active:${context.attempt}`),
            dispatchWork: ({ context }) => void effects.push(`start:${context.attempt}`),
            activateWork: ({ context }) => void effects.push(`active:${context.attempt}`),
            abortWork: () => void effects.push('abort'),
            withdrawWork: () => void effects.push('withdraw'),
          },
        }),
        { input },
      ).start();
      for (const step of path.steps) {
        actor.send(step.event);
        expect(serialize(actor.getSnapshot())).toBe(serialize(step.state));
      }
      const count = (prefix: string): number => effects.filter((e) => e.startsWith(prefix)).length;
      const now = leaf(actor.getSnapshot());
      const isHeld = now === 'running' || now === 'pending.dispatched';
      // Every attempt started is ended exactly once: aborted if it became active, withdrawn if not.
      expect(count('abort') + count('withdraw')).toBe(isHeld ? count('start') - 1 : count('start'));
      expect(count('active')).toBe(count('abort') + (now === 'running' ? 1 : 0));
      expect(actor.getSnapshot().context.attempt).toBe(count('start'));
      // Only an attempt that became active is aborted; one that did not never counts as started.
      for (let i = 0; i < effects.length; i++) {
        if (effects[i] === 'abort') expect(effects.slice(0, i).filter((e) => e.startsWith('active')).length).toBeGreaterThan(effects.slice(0, i).filter((e) => e === 'abort').length);
      }
    }
  });

  it('waits for its children holding nothing, keeps the work\'s result, and completes only when they are done', () => {
    const names = (actions: readonly { type: string }[]) => actions.map((action) => action.type).filter((type) => !type.startsWith('xstate.'));
    let snapshot = getInitialSnapshot(taskMachine, input);
    for (const event of [{ type: 'task.ready' }, { type: 'task.start' }] as TaskMachineEvent[]) [snapshot] = transition(taskMachine, snapshot, event);
    // Another attempt's return changes nothing.
    expect(leaf(transition(taskMachine, snapshot, { type: 'task.awaitChildren', attempt: 2, result: 'x' })[0])).toBe('running');
    const [waiting, actions] = transition(taskMachine, snapshot, { type: 'task.awaitChildren', attempt: 1, result: 'work' });
    expect([leaf(waiting), waiting.context.result, waiting.status]).toEqual(['pending.children', 'work', 'active']);
    expect(names(actions)).toEqual(['abortWork']); // leaving running ends the attempt: slot, resources and deadline go back
    // No deadline, no late outcome and no retry reaches a waiting parent.
    for (const event of [TIMEOUT_1, { type: 'task.succeed', attempt: 1, result: 'late' }, { type: 'task.fail', attempt: 1, error: new Error('late') }, RETRY_DUE, { type: 'task.start' }, { type: 'task.pause' }] as TaskMachineEvent[]) {
      expect(leaf(transition(taskMachine, waiting, event)[0])).toBe('pending.children');
    }
    const [done] = transition(taskMachine, waiting, { type: 'task.childrenDone', result: 'work' });
    expect(done.output).toMatchObject({ status: 'completed', result: 'work', attempts: 1 });
    const [failed] = transition(taskMachine, waiting, { type: 'task.upstreamFailed', error: new Error('child "c" failed') });
    expect(failed.output).toMatchObject({ status: 'failed', error: { message: 'child "c" failed' } });
  });

  it('starts a race from the queue with no attempt of its own, and completes with the winner\'s result', () => {
    const queued = taskLogic.resolveState({ value: { pending: 'queued' }, context: getInitialSnapshot(taskMachine, input).context });
    const [racing, actions] = transition(taskMachine, queued, { type: 'task.race' });
    expect([leaf(racing), racing.context.attempt, actions.length]).toEqual(['pending.children', 0, 0]);
    const [won] = transition(taskMachine, racing, { type: 'task.childrenDone', result: 'proof by z3' });
    expect(won.output).toMatchObject({ status: 'completed', result: 'proof by z3', attempts: 0 });
  });

  const timeOutTwice = (logic: typeof taskMachine): TaskSnapshot => {
    let snapshot = getInitialSnapshot(logic, input);
    for (const event of [{ type: 'task.ready' }, { type: 'task.start' }, TIMEOUT_1, RETRY_DUE, { type: 'task.start' }, TIMEOUT_2]) {
      [snapshot] = transition(logic, snapshot, event as TaskMachineEvent);
    }
    return snapshot;
  };

  it('records a TaskTimeoutError when an attempt runs out of time (as the scheduler runs it)', () => {
    const snapshot = timeOutTwice(taskLogic);
    expect(snapshot.value).toBe('failed');
    expect(snapshot.context.error).toBeInstanceOf(TaskTimeoutError);
    expect(snapshot.context.error).toMatchObject({ taskId: 't', timeoutMs: 100, message: 'task "t" timed out after 100 ms' });
    expect(snapshot.output).toMatchObject({ attempts: 2, error: snapshot.context.error });
  });

  it('records a plain Error with the same message when stepped without the runtime', () => {
    const snapshot = timeOutTwice(taskMachine);
    expect(snapshot.value).toBe('failed');
    expect(snapshot.context.error).not.toBeInstanceOf(TaskTimeoutError);
    expect(snapshot.context.error?.message).toBe('task "t" timed out after 100 ms');
    expect(snapshot.output).toMatchObject({ attempts: 2, error: snapshot.context.error });
  });

  it('names in its output the final state it reached (the done event is XState\'s own)', () => {
    const endings: [TaskMachineEvent, string][] = [
      [{ type: 'task.succeed', attempt: 1, result: 42 }, 'completed'],
      [{ type: 'task.fail', attempt: 1, error: new Error('no') }, 'failed'],
      [{ type: 'task.cancel', reason: 'bored' }, 'cancelled'],
    ];
    for (const [ending, status] of endings) {
      let snapshot = getInitialSnapshot(taskMachine, { ...input, maxAttempts: 1 });
      for (const event of [{ type: 'task.ready' }, { type: 'task.start' }, ending] as TaskMachineEvent[]) {
        [snapshot] = transition(taskMachine, snapshot, event);
      }
      expect(snapshot.value).toBe(status);
      expect(snapshot.output?.status).toBe(status);
    }
  });

  it('keeps its invariants under any sequence of events (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...EVENTS), { maxLength: 40 }), (events) => {
        let snapshot = getInitialSnapshot(taskMachine, input);
        let finalSeen: string | undefined;
        let starts = 0;
        for (const event of events) {
          const before = leaf(snapshot);
          [snapshot] = transition(taskMachine, snapshot, event as TaskMachineEvent);
          const after = leaf(snapshot);
          if (finalSeen !== undefined) expect(after).toBe(finalSeen);
          if (FINAL.includes(after)) finalSeen = after;
          if (after === 'running' && before !== 'running') expect(['task.start', 'task.active']).toContain(event.type);
          if (event.type === 'task.active' && after === 'running' && before === 'pending.dispatched') {
            expect((event as { attempt: number }).attempt).toBe(snapshot.context.attempt);
          }
          // An attempt is counted when it begins: started straight into running, or dispatched.
          if (before !== after && ((after === 'running' && event.type === 'task.start') || after === 'pending.dispatched')) starts++;
          // Time waiting for a worker is not the attempt's: no timeout ends a dispatched attempt.
          if (before === 'pending.dispatched' && event.type === 'task.timeout') expect(after).toBe(before);
          if (after === 'completed' && before !== 'completed') expect(event.type).toBe(before === 'pending.children' ? 'task.childrenDone' : 'task.succeed');
          // A parent completes only from waiting for its children, and waits with no attempt running.
          if (event.type === 'task.childrenDone' && before !== 'pending.children') expect(after).toBe(before);
          if (after === 'pending.children' && before !== after) expect(['task.awaitChildren', 'task.race']).toContain(event.type);
          if (after === 'cancelled' && before !== 'cancelled') expect(event.type).toBe('task.cancel');
          expect(snapshot.context.attempt).toBe(starts);
          expect(snapshot.context.attempt).toBeLessThanOrEqual(input.maxAttempts);
        }
      }),
      { numRuns: 500 },
    );
  });
});
