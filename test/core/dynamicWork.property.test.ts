import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createScheduler } from '../../src/core/createScheduler.js';
import type { TaskContext, TaskSpec } from '../../src/types.js';
import { settle } from '../support/harness.js';

/** A tree of work: each node may fail, and spawns its children (before or after an await). */
interface Node {
  readonly fails: boolean;
  readonly spawnLate: boolean;
  readonly children: readonly Node[];
}

const nodeArb: fc.Memo<Node> = fc.memo((depth) =>
  fc.record({
    fails: fc.integer({ min: 0, max: 6 }).map((n) => n === 0),
    spawnLate: fc.boolean(),
    children: depth > 1 ? fc.array(nodeArb(depth - 1), { maxLength: 3 }) : fc.constant([]),
  }),
);

describe('ctx.spawn (property)', () => {
  it('never completes a parent before every child completed, and never completes one whose child failed', async () => {
    await fc.assert(
      fc.asyncProperty(nodeArb(4), fc.integer({ min: 1, max: 3 }), async (root, maxWorkers) => {
        const s = createScheduler({ maxWorkers, defaultRetry: { attempts: 1 }, resources: { cpu: 1 } });
        const ended: { id: string; status: string }[] = [];
        s.events.on('task:completed', ({ task }) => void ended.push({ id: task.id, status: 'completed' }));
        s.events.on('task:failed', ({ task }) => void ended.push({ id: task.id, status: 'failed' }));
        s.events.on('task:cancelled', ({ task }) => void ended.push({ id: task.id, status: 'cancelled' }));
        const work = (node: Node, id: string) => async (ctx: TaskContext): Promise<string> => {
          const specs: TaskSpec[] = node.children.map((child, i) => ({ id: `${id}.${i}`, run: work(child, `${id}.${i}`) }));
          if (!node.spawnLate) ctx.spawn(specs);
          await Promise.resolve();
          if (node.spawnLate) ctx.spawn(specs);
          if (node.fails) throw new Error(`${id} failed`);
          return id;
        };
        s.scheduleTask({ id: 'root', run: work(root, 'root') });
        await s.onIdle();
        const at = new Map(ended.map((end, i) => [end.id, i]));
        for (const task of s.listTasks()) {
          expect(['completed', 'failed', 'cancelled']).toContain(task.status);
          if (task.status !== 'completed') continue;
          for (const child of task.children) {
            expect(s.getTaskStatus(child)).toBe('completed');
            expect(at.get(child)).toBeLessThan(at.get(task.id) as number);
          }
        }
        // A node whose subtree has no failure completes; one with a failure does not.
        const clean = (node: Node): boolean => !node.fails && node.children.every(clean);
        expect(s.getTaskStatus('root')).toBe(clean(root) ? 'completed' : 'failed');
        await s.stop();
      }),
      { numRuns: 60 },
    );
  });
});

describe('race (property)', () => {
  it('completes at most once, with the first alternative to complete, and cancels the rest at once', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.constantFrom('ok', 'fail'), { minLength: 2, maxLength: 5 }).chain((outcomes) =>
          fc.tuple(fc.constant(outcomes), fc.shuffledSubarray(outcomes.map((_, i) => i), { minLength: outcomes.length, maxLength: outcomes.length })),
        ),
        async ([outcomes, order]) => {
          const s = createScheduler({ maxWorkers: outcomes.length, defaultRetry: { attempts: 1 }, resources: { cpu: 1 } });
          const settlers: { resolve: (v: unknown) => void; reject: (e: Error) => void; signal: AbortSignal }[] = [];
          let completions = 0;
          s.events.on('task:completed', ({ task }) => void (task.id === 'goal' && completions++));
          s.scheduleTask({
            id: 'goal',
            race: outcomes.map((_, i) => ({
              run: (ctx: TaskContext) =>
                new Promise((resolve, reject) => {
                  settlers[i] = { resolve, reject, signal: ctx.signal };
                  // As a killed prover does: its attempt ends when it is cancelled.
                  ctx.signal.addEventListener('abort', () => reject(ctx.signal.reason));
                }),
            })),
          });
          await settle();
          let winner: number | undefined;
          for (const i of order) {
            const settler = settlers[i];
            if (settler === undefined || settler.signal.aborted) continue;
            if (outcomes[i] === 'ok') {
              winner ??= i;
              settler.resolve(`alt ${i}`);
            } else settler.reject(new Error(`alt ${i} failed`));
            await settle();
            if (winner !== undefined) {
              // At once: every other alternative is cancelled, its signal aborted.
              for (const j of settlers.keys()) if (j !== winner) expect(s.getTask(`goal/${j}`).status).not.toBe('pending');
              for (const [j, other] of settlers.entries()) if (j !== winner && s.getTaskStatus(`goal/${j}`) === 'cancelled') expect(other.signal.aborted).toBe(true);
            }
          }
          await s.onIdle();
          const goal = s.getTask('goal');
          expect(completions).toBeLessThanOrEqual(1);
          if (winner === undefined) {
            expect(goal.status).toBe('failed');
            expect(completions).toBe(0);
          } else {
            expect(goal).toMatchObject({ status: 'completed', result: `alt ${winner}`, winner: `goal/${winner}` });
            for (let j = 0; j < outcomes.length; j++) if (j !== winner) expect(['cancelled', 'failed']).toContain(s.getTaskStatus(`goal/${j}`));
          }
          await s.stop();
        },
      ),
      { numRuns: 80 },
    );
  });
});
