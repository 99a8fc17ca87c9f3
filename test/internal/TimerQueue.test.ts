import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { SimulatedClock } from 'xstate';
import { TimerQueue } from '../../src/internal/TimerQueue.js';
import type { SchedulerClock } from '../../src/types.js';

/**
 * A SimulatedClock that counts its live timers (set, neither fired nor cleared) and remembers the
 * most it ever had at once.
 */
function countingClock(): { clock: SimulatedClock; base: SchedulerClock; live: Set<unknown>; maxLive: () => number } {
  const clock = new SimulatedClock();
  const live = new Set<unknown>();
  let maxLive = 0;
  const base: SchedulerClock = {
    now: () => clock.now(),
    setTimeout(fn, timeout) {
      const id: unknown = clock.setTimeout(() => {
        live.delete(id);
        fn();
      }, timeout);
      live.add(id);
      maxLive = Math.max(maxLive, live.size);
      return id;
    },
    clearTimeout(id) {
      live.delete(id);
      clock.clearTimeout(id as number);
    },
  };
  return { clock, base, live, maxLive: () => maxLive };
}

// --- Random set/clear/advance sequences. A timer may set a child timer from its callback.

type Op =
  | { kind: 'set'; delay: number; child: number | null }
  | { kind: 'clear'; pick: number }
  | { kind: 'advance'; ms: number };

const opsArb: fc.Arbitrary<Op[]> = fc.array(
  fc.oneof(
    { weight: 3, arbitrary: fc.record({ kind: fc.constant('set' as const), delay: fc.integer({ min: -5, max: 50 }), child: fc.option(fc.integer({ min: 0, max: 60 })) }) },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant('clear' as const), pick: fc.nat() }) },
    { weight: 2, arbitrary: fc.record({ kind: fc.constant('advance' as const), ms: fc.integer({ min: 0, max: 40 }) }) },
  ),
  { maxLength: 50 },
);

interface ModelTimer {
  readonly name: string;
  readonly due: number;
  readonly seq: number;
  readonly child: number | null;
  state: 'pending' | 'fired' | 'cleared';
}

describe('TimerQueue', () => {
  it('fires timers in due order, ties in the order they were set', () => {
    const { clock, base } = countingClock();
    const queue = new TimerQueue(base);
    const log: string[] = [];
    queue.setTimeout(() => log.push('c'), 30);
    queue.setTimeout(() => log.push('a1'), 10);
    queue.setTimeout(() => log.push('b'), 20);
    queue.setTimeout(() => log.push('a2'), 10);
    queue.setTimeout(() => log.push('a3'), 10);
    clock.increment(100);
    expect(log).toEqual(['a1', 'a2', 'a3', 'b', 'c']);
    expect(queue.size).toBe(0);
  });

  it('fires a timer only once its due time has come', () => {
    const { clock, base } = countingClock();
    const queue = new TimerQueue(base);
    const log: number[] = [];
    queue.setTimeout(() => log.push(clock.now()), 10);
    queue.setTimeout(() => log.push(clock.now()), 25);
    clock.increment(9);
    expect(log).toEqual([]);
    clock.increment(1);
    expect(log).toEqual([10]);
    clock.increment(14);
    expect(log).toEqual([10]);
    clock.increment(1);
    expect(log).toEqual([10, 25]);
  });

  it('treats a negative timeout as zero', () => {
    const { clock, base } = countingClock();
    const queue = new TimerQueue(base);
    const log: string[] = [];
    queue.setTimeout(() => log.push('late'), 1);
    queue.setTimeout(() => log.push('now'), -50);
    clock.increment(0);
    expect(log).toEqual(['now']);
  });

  it('reads the time from the base clock', () => {
    const { clock, base } = countingClock();
    const queue = new TimerQueue(base);
    clock.increment(42);
    expect(queue.now()).toBe(42);
  });

  it('never fires a cleared timer, and ignores ids it did not hand out', () => {
    const { clock, base } = countingClock();
    const queue = new TimerQueue(base);
    const log: string[] = [];
    const a = queue.setTimeout(() => log.push('a'), 10);
    queue.setTimeout(() => log.push('b'), 10);
    queue.clearTimeout(a);
    queue.clearTimeout(a);
    queue.clearTimeout('no-such-timer');
    queue.clearTimeout(7);
    queue.clearTimeout(undefined);
    expect(queue.size).toBe(1);
    clock.increment(20);
    expect(log).toEqual(['b']);
  });

  it('keeps at most one base timer armed, re-arming only for a new earliest timer', () => {
    const { clock, base, live, maxLive } = countingClock();
    let baseSets = 0;
    const queue = new TimerQueue({ ...base, setTimeout: (fn, ms) => (baseSets++, base.setTimeout(fn, ms)) });
    for (const delay of [50, 60, 40, 70, 40, 10]) queue.setTimeout(() => {}, delay);
    expect(baseSets).toBe(3); // for 50, then 40, then 10
    expect(live.size).toBe(1);
    for (let t = 0; t < 80; t += 5) {
      clock.increment(5);
      queue.setTimeout(() => {}, 7);
    }
    expect(maxLive()).toBe(1);
  });

  it('clears its base timer when the last pending timer is cleared', () => {
    const { base, live } = countingClock();
    const queue = new TimerQueue(base);
    const a = queue.setTimeout(() => {}, 10);
    const b = queue.setTimeout(() => {}, 20);
    expect(live.size).toBe(1);
    queue.clearTimeout(a);
    expect(live.size).toBe(1);
    queue.clearTimeout(b);
    expect(live.size).toBe(0);
    expect(queue.size).toBe(0);
  });

  it('holds no base timer once every timer has fired', () => {
    const { clock, base, live } = countingClock();
    const queue = new TimerQueue(base);
    queue.setTimeout(() => {}, 10);
    queue.setTimeout(() => {}, 20);
    clock.increment(10);
    expect(live.size).toBe(1);
    clock.increment(10);
    expect(live.size).toBe(0);
  });

  it('runs onFired once after each batch of due timers', () => {
    const { clock, base } = countingClock();
    const log: string[] = [];
    const queue = new TimerQueue(base, () => log.push('batch'));
    queue.setTimeout(() => log.push('a'), 10);
    queue.setTimeout(() => log.push('b'), 10);
    queue.setTimeout(() => log.push('c'), 20);
    clock.increment(10);
    expect(log).toEqual(['a', 'b', 'batch']);
    queue.onFired = () => log.push('other');
    clock.increment(10);
    expect(log).toEqual(['a', 'b', 'batch', 'c', 'other']);
  });

  it('fires a timer set from a callback for the current time in the same batch', () => {
    const { clock, base, live } = countingClock();
    const log: string[] = [];
    const queue = new TimerQueue(base, () => log.push('batch'));
    queue.setTimeout(() => {
      log.push('a');
      queue.setTimeout(() => log.push('from a'), 0);
    }, 10);
    queue.setTimeout(() => log.push('b'), 10);
    clock.increment(10);
    expect(log).toEqual(['a', 'b', 'from a', 'batch']);
    expect(queue.size).toBe(0);
    expect(live.size).toBe(0);
  });

  it('does not delay a pending timer when a callback sets a later one', () => {
    const { clock, base } = countingClock();
    const log: number[] = [];
    const queue = new TimerQueue(base);
    queue.setTimeout(() => {
      queue.setTimeout(() => log.push(clock.now()), 190); // due at 200
    }, 10);
    queue.setTimeout(() => log.push(clock.now()), 100);
    clock.increment(10);
    clock.increment(90);
    expect(log).toEqual([100]);
    clock.increment(100);
    expect(log).toEqual([100, 200]);
  });

  it('fires exactly the non-cleared timers whose due time has passed, in due order, for random set/clear/advance sequences', () => {
    fc.assert(
      fc.property(opsArb, (ops) => {
        const { clock, base, live, maxLive } = countingClock();
        // Fired timers' names and 'batch' for each onFired, in the order they happened.
        const log: string[] = [];
        const queue = new TimerQueue(base, () => log.push('batch'));
        const model: ModelTimer[] = [];
        const idOf = new Map<string, unknown>();
        let seq = 0;

        const setInModel = (name: string, delay: number, child: number | null): void => {
          model.push({ name, due: clock.now() + Math.max(0, delay), seq: seq++, child, state: 'pending' });
        };
        const setInQueue = (name: string, delay: number, child: number | null): void => {
          const id = queue.setTimeout(() => {
            log.push(name);
            if (child !== null) setInQueue(`${name}'`, child, null);
          }, delay);
          idOf.set(name, id);
        };

        for (const [step, op] of ops.entries()) {
          if (op.kind === 'set') {
            setInModel(`t${step}`, op.delay, op.child);
            setInQueue(`t${step}`, op.delay, op.child);
          } else if (op.kind === 'clear') {
            const timer = model[op.pick % Math.max(1, model.length)];
            if (timer === undefined) continue;
            if (timer.state === 'pending') timer.state = 'cleared';
            queue.clearTimeout(idOf.get(timer.name));
          } else {
            // The reference: fire pending timers by (due, seq) while any is due; a child set from a
            // callback is due relative to the new time and may join the same batch.
            const now = clock.now() + op.ms;
            const expected: string[] = [];
            for (;;) {
              const due = model
                .filter((t) => t.state === 'pending' && t.due <= now)
                .sort((a, b) => a.due - b.due || a.seq - b.seq)[0];
              if (due === undefined) break;
              due.state = 'fired';
              expected.push(due.name);
              if (due.child !== null) {
                model.push({ name: `${due.name}'`, due: now + due.child, seq: seq++, child: null, state: 'pending' });
              }
            }
            const logBefore = log.length;
            clock.increment(op.ms);
            const happened = log.slice(logBefore);
            expect(happened.filter((entry) => entry !== 'batch')).toEqual(expected);
            // A batch that ran timers ends with onFired. (Waking up for a cleared timer may run
            // onFired with nothing fired: clearing does not re-arm the base timer.)
            if (expected.length > 0) expect(happened[happened.length - 1]).toBe('batch');
          }
          const pending = model.filter((t) => t.state === 'pending').length;
          expect(queue.size).toBe(pending);
          expect(live.size).toBe(pending > 0 ? 1 : 0);
        }
        expect(maxLive()).toBeLessThanOrEqual(1);
      }),
      { numRuns: 400 },
    );
  });
});
