import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createScheduler } from '../../src/core/createScheduler.js';
import type { Scheduler } from '../../src/core/scheduler.js';
import type { TaskContext } from '../../src/types.js';
import { settle } from '../support/harness.js';

type Ending = 'completed' | 'failed' | 'cancelled';

/** What the parent should be: its machine state, and each child's. */
interface Model {
  parent: 'running' | 'pending.children' | Ending;
  children: ('running' | Ending)[];
}

/** The scheduler, the parent's attempt, and a way to end each attempt by hand. */
interface Real {
  readonly scheduler: Scheduler;
  parent: { ctx: TaskContext; resolve: (value: unknown) => void } | undefined;
  readonly children: { resolve: (value: unknown) => void; reject: (error: Error) => void }[];
}

const isLive = (state: string): boolean => state === 'running' || state === 'pending.children';

/** Ends every live child as the parent's end takes them along. */
function endParent(model: Model, ending: Ending): void {
  model.parent = ending;
  model.children = model.children.map((child) => (child === 'running' ? 'cancelled' : child));
}

async function check(model: Model, real: Real): Promise<void> {
  await settle();
  const parent = real.scheduler.getTask('p');
  expect(parent.status === 'pending' ? `pending.${parent.pendingReason}` : parent.status).toBe(model.parent);
  expect(parent.children).toEqual(model.children.map((_, i) => `c${i}`));
  model.children.forEach((state, i) => expect(real.scheduler.getTaskStatus(`c${i}`)).toBe(state));
}

class Spawn implements fc.AsyncCommand<Model, Real> {
  check = (m: Readonly<Model>) => m.parent === 'running' && m.children.length < 4;
  async run(m: Model, r: Real) {
    const i = m.children.length;
    r.parent?.ctx.spawn([
      {
        id: `c${i}`,
        run: (ctx) =>
          new Promise((resolve, reject) => {
            r.children[i] = { resolve, reject };
            ctx.signal.addEventListener('abort', () => reject(ctx.signal.reason));
          }),
      },
    ]);
    m.children.push('running');
    await check(m, r);
  }
  toString = () => 'spawn';
}

class EndChild implements fc.AsyncCommand<Model, Real> {
  constructor(readonly at: number, readonly ok: boolean) {}
  check = (m: Readonly<Model>) => m.children.length > 0 && m.children[this.at % m.children.length] === 'running';
  async run(m: Model, r: Real) {
    const i = this.at % m.children.length;
    if (this.ok) {
      r.children[i]?.resolve(i);
      m.children[i] = 'completed';
      if (m.parent === 'pending.children' && m.children.every((c) => c === 'completed')) m.parent = 'completed';
    } else {
      r.children[i]?.reject(new Error(`c${i} failed`));
      m.children[i] = 'failed';
      endParent(m, 'failed');
    }
    await check(m, r);
  }
  toString = () => `${this.ok ? 'complete' : 'fail'} child ${this.at}`;
}

class ReturnWork implements fc.AsyncCommand<Model, Real> {
  check = (m: Readonly<Model>) => m.parent === 'running';
  async run(m: Model, r: Real) {
    r.parent?.resolve('work');
    m.parent = m.children.every((c) => c === 'completed') ? 'completed' : 'pending.children';
    await check(m, r);
    if (m.parent === 'completed') expect(r.scheduler.getTask('p').result).toBe('work');
  }
  toString = () => 'work returns';
}

class CancelParent implements fc.AsyncCommand<Model, Real> {
  check = (m: Readonly<Model>) => isLive(m.parent);
  async run(m: Model, r: Real) {
    r.scheduler.cancelTask('p');
    endParent(m, 'cancelled');
    await check(m, r);
  }
  toString = () => 'cancel the parent';
}

describe('a parent\'s states (model-based)', () => {
  it('follows its model under any sequence of spawns, child outcomes, its work\'s return and a cancel', async () => {
    const commands = [
      fc.constant(new Spawn()),
      fc.tuple(fc.nat(3), fc.boolean()).map(([at, ok]) => new EndChild(at, ok)),
      fc.constant(new ReturnWork()),
      fc.constant(new CancelParent()),
    ];
    await fc.assert(
      fc.asyncProperty(fc.commands(commands, { maxCommands: 12 }), async (cmds) => {
        const scheduler = createScheduler({ maxWorkers: 8, defaultRetry: { attempts: 1 }, resources: { cpu: 1 } });
        const real: Real = { scheduler, parent: undefined, children: [] };
        scheduler.scheduleTask({
          id: 'p',
          run: (ctx) =>
            new Promise((resolve, reject) => {
              real.parent = { ctx, resolve };
              ctx.signal.addEventListener('abort', () => reject(ctx.signal.reason));
            }),
        });
        await settle();
        await fc.asyncModelRun(() => ({ model: { parent: 'running' as const, children: [] }, real }), cmds);
        await scheduler.stop({ graceMs: 100 });
      }),
      { numRuns: 150 },
    );
  });
});
