// Issue 12 (library): processes end when they should, nothing hangs without an error, and
// inputs that only look valid are refused. Each test here failed before its fix.
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { SimulatedClock } from 'xstate';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createScheduler } from '../../src/core/createScheduler.js';
import { SchedulerError } from '../../src/errors.js';
import { heapQueue } from '../../src/policies/heapQueue.js';
import { inlineExecutor } from '../../src/executors/inlineExecutor.js';
import type { QueuedTask, SchedulerClock, SchedulingPolicy, TaskPriority } from '../../src/types.js';
import { manualWork, settle } from '../support/harness.js';

const fixture = (name: string): string => fileURLToPath(new URL(`../fixtures/library/${name}`, import.meta.url));

/** Runs a fixture script with tsx; the test fails if it does not end within `timeoutMs`. */
function runScript(name: string, timeoutMs = 20_000): Promise<{ code: number | null; stdout: string; stderr: string; ms: number }> {
  const started = Date.now();
  return new Promise((resolve) => {
    execFile(process.execPath, ['--import', 'tsx', fixture(name)], { timeout: timeoutMs }, (error, stdout, stderr) => {
      const code = error ? ((error as { code?: number }).code ?? null) : 0;
      resolve({ code: typeof code === 'number' ? code : null, stdout, stderr, ms: Date.now() - started });
    });
  });
}

/** A real clock that counts the timers it holds, and records every delay asked of it. */
function countingClock(): SchedulerClock & { readonly armed: number; readonly delays: number[] } {
  const live = new Set<unknown>();
  const delays: number[] = [];
  return {
    get armed() {
      return live.size;
    },
    delays,
    now: () => Date.now(),
    setTimeout: (fn, timeout) => {
      delays.push(timeout);
      const handle = setTimeout(() => {
        live.delete(handle);
        fn();
      }, timeout);
      live.add(handle);
      return handle;
    },
    clearTimeout: (handle) => {
      live.delete(handle);
      clearTimeout(handle as ReturnType<typeof setTimeout>);
    },
  };
}

describe('stop', () => {
  it('leaves no timer armed once it resolves, when tasks were waiting for dependencies', async () => {
    const clock = countingClock();
    const s = createScheduler({ clock });
    const work = manualWork();
    s.scheduleTasks([
      { id: 'a', run: work.run, timeoutMs: 60_000 },
      { id: 'b', dependencies: ['a'], run: async () => 1 },
    ]);
    await settle();
    expect(clock.armed).toBeGreaterThan(0);
    await s.stop();
    expect(clock.armed).toBe(0);
    expect(s.getTaskStatus('b')).toBe('cancelled');
  });

  it('leaves no timer armed once idle, without stop(), when a task had waited for a dependency', async () => {
    const clock = countingClock();
    const s = createScheduler({ clock, dependencyTimeoutMs: 600_000 });
    s.scheduleTasks([
      { id: 'a', run: async () => 1, timeoutMs: 0 },
      { id: 'b', dependencies: ['a'], run: async () => 2, timeoutMs: 0 },
    ]);
    await s.onIdle();
    expect(s.getTaskStatus('b')).toBe('completed');
    // Before: the dependency deadline of b stayed armed, and held the process for 10 minutes.
    expect(clock.armed).toBe(0);
  });

  it('lets the process exit at once after stop() when tasks had dependencies', async () => {
    const { code, stdout, ms } = await runScript('stopWithDependencies.ts');
    expect(stdout).toContain('stopped');
    expect(code).toBe(0);
    expect(ms).toBeLessThan(15_000); // before the fix: 10 minutes (dependencyTimeoutMs)
  });

  it('resolves after graceMs when work never settles, and the code after it runs', async () => {
    const { code, stdout } = await runScript('stopNeverSettles.ts');
    expect(stdout).toContain('after stop: cancelled');
    expect(code).toBe(0); // before the fix: 13, Node gave up on the unsettled await
  });

  it('refuses a graceMs that is not a finite number >= 0', async () => {
    const s = createScheduler();
    await expect(s.stop({ graceMs: -1 })).rejects.toThrow(/graceMs: expected a finite number >= 0, received -1/);
    await expect(s.stop({ graceMs: 'soon' as unknown as number })).rejects.toThrow(/graceMs/);
    await s.stop({ graceMs: 0 });
  });
});

/** A policy whose `hook` throws on the task with id `culprit` (or every task when undefined). */
function throwingPolicy(hook: 'compare' | 'onStart' | 'onFinish', culprit?: string): SchedulingPolicy {
  const boom = (id: string): void => {
    if (culprit === undefined || id === culprit) throw new Error(`policy ${hook} broke on ${id}`);
  };
  return {
    name: `throwing-${hook}`,
    createQueue: () =>
      heapQueue((a: QueuedTask, b: QueuedTask) => {
        if (hook === 'compare') {
          boom(a.id);
          boom(b.id);
        }
        return b.priority - a.priority || a.seq - b.seq;
      }),
    ...(hook === 'onStart' ? { onStart: (task: QueuedTask) => boom(task.id) } : {}),
    ...(hook === 'onFinish' ? { onFinish: (task: QueuedTask) => boom(task.id) } : {}),
  };
}

/** Schedules ten tasks (two waves of five with a dependency), runs to idle, returns the outcome. */
async function runThrough(policy: SchedulingPolicy): Promise<{ statuses: Record<string, string>; errors: Error[]; stats: ReturnType<ReturnType<typeof createScheduler>['getStats']> }> {
  const s = createScheduler({ policy, maxWorkers: 2, resources: { cpu: 2 }, defaultRetry: { attempts: 1 } });
  const errors: Error[] = [];
  s.events.on('error', ({ error }) => errors.push(error));
  const ids = Array.from({ length: 5 }, (_, i) => `t${i}`);
  s.scheduleTasks(ids.map((id, i) => ({ id, priority: ((i % 5) + 1) as TaskPriority, resources: { cpu: 1 }, run: async () => id })));
  s.scheduleTasks(ids.map((id) => ({ id: `${id}-next`, dependencies: [id], resources: { cpu: 1 }, run: async () => id })));
  await s.onIdle();
  const statuses = Object.fromEntries(s.listTasks().map((t) => [t.id, t.status]));
  const stats = s.getStats();
  await s.stop();
  return { statuses, errors, stats };
}

describe('a throwing policy or queue', () => {
  for (const hook of ['compare', 'onStart', 'onFinish'] as const) {
    it(`ends every task and reports the error when ${hook} throws on one task`, async () => {
      const { statuses, errors, stats } = await runThrough(throwingPolicy(hook, 't3'));
      expect(Object.values(statuses).every((status) => ['completed', 'failed', 'cancelled'].includes(status))).toBe(true);
      expect(stats.running).toBe(0);
      expect(stats.resources['cpu']).toMatchObject({ used: 0 });
      expect(errors.some((e) => e.message.includes(`${hook} broke on t3`))).toBe(true);
      expect(errors.every((e) => e instanceof SchedulerError)).toBe(true);
    });

    it(`ends every task when ${hook} throws on every task`, async () => {
      const { statuses, stats } = await runThrough(throwingPolicy(hook));
      expect(Object.values(statuses).every((status) => ['completed', 'failed', 'cancelled'].includes(status))).toBe(true);
      expect(stats.running + stats.pending).toBe(0);
    });
  }

  it('fails the task whose queue operation threw, with the policy error as its error', async () => {
    const s = createScheduler({ policy: throwingPolicy('compare', 't3'), maxWorkers: 1, defaultRetry: { attempts: 1 } });
    s.events.on('error', () => {});
    s.scheduleTasks([{ id: 't1', run: async () => 1 }, { id: 't2', run: async () => 2 }, { id: 't3', run: async () => 3 }]);
    const record = await s.waitForTask('t3');
    expect(record.status).toBe('failed');
    expect(record.error?.message).toMatch(/policy "throwing-compare".*compare broke on t3/);
    expect((await s.waitForTask('t1')).status).toBe('completed');
    await s.stop();
  });

  it('keeps a completed task completed when onFinish throws for it', async () => {
    const s = createScheduler({ policy: throwingPolicy('onFinish'), defaultRetry: { attempts: 1 } });
    const errors: Error[] = [];
    s.events.on('error', ({ error }) => errors.push(error));
    const id = s.scheduleTask({ run: async () => 'done' });
    expect(await s.waitForTask(id)).toMatchObject({ status: 'completed', result: 'done' });
    await s.onIdle();
    expect(errors[0]?.message).toMatch(/onFinish/);
    await s.stop();
  });

  it('ends every task when a custom queue throws from push, peek or ordered', async () => {
    for (const method of ['push', 'peek', 'ordered', 'remove'] as const) {
      const policy: SchedulingPolicy = {
        name: `queue-${method}`,
        createQueue: () => {
          const inner = heapQueue((a, b) => a.seq - b.seq);
          let calls = 0;
          return new Proxy(inner, {
            get(target, key, receiver) {
              const value = Reflect.get(target, key, receiver);
              if (key !== method || typeof value !== 'function') return value;
              return (...args: unknown[]) => {
                if (++calls % 3 === 2) throw new Error(`queue ${method} broke`);
                return (value as (...a: unknown[]) => unknown).apply(target, args);
              };
            },
          });
        },
      };
      const { statuses, stats } = await runThrough(policy);
      expect(Object.values(statuses).every((status) => ['completed', 'failed', 'cancelled'].includes(status)), method).toBe(true);
      expect(stats.running + stats.pending, method).toBe(0);
    }
  });

  it('does not throw a stale error from every later call after one failure', async () => {
    const s = createScheduler({ policy: throwingPolicy('compare', 'bad'), defaultRetry: { attempts: 1 } });
    s.events.on('error', () => {});
    s.scheduleTasks([{ id: 'ok', run: async () => 1 }, { id: 'bad', run: async () => 2 }]);
    await s.onIdle();
    expect(() => s.scheduleTask({ id: 'later', run: async () => 3 })).not.toThrow();
    expect((await s.waitForTask('later')).status).toBe('completed');
    await s.stop();
  });
});

describe('onIdle and the idle event', () => {
  it('do not fire while a task:completed listener has scheduled a follow-up', async () => {
    const s = createScheduler();
    const liveAtIdle: number[] = [];
    s.events.on('task:completed', ({ task }) => {
      if (task.id === 'first') s.scheduleTask({ id: 'follow-up', run: async () => 2 });
    });
    s.events.on('idle', () => {
      const stats = s.getStats();
      liveAtIdle.push(stats.pending + stats.running);
    });
    s.scheduleTask({ id: 'first', run: async () => 1 });
    await s.onIdle();
    expect(s.getTaskStatus('follow-up')).toBe('completed');
    await settle();
    expect(liveAtIdle.length).toBeGreaterThan(0);
    expect(liveAtIdle.every((live) => live === 0)).toBe(true);
    await s.stop();
  });
});

describe('timers beyond setTimeout range', () => {
  it('chains a timeout above 2^31-1 ms instead of spinning', async () => {
    const clock = countingClock();
    const warnings: string[] = [];
    const onWarning = (warning: Error): void => void warnings.push(warning.name);
    process.on('warning', onWarning);
    const s = createScheduler({ clock });
    s.scheduleTask({ id: 'long', timeoutMs: 2 ** 33, run: () => new Promise(() => {}) });
    await new Promise((resolve) => setTimeout(resolve, 100));
    process.off('warning', onWarning);
    expect(clock.delays.every((delay) => delay <= 2 ** 31 - 1)).toBe(true);
    expect(clock.delays.length).toBeLessThan(5); // before the fix: one re-arm per millisecond
    expect(warnings).not.toContain('TimeoutOverflowWarning');
    expect(s.getTaskStatus('long')).toBe('running');
    await s.stop({ graceMs: 0 });
  });

  it('still fires a chained timeout at its due time (simulated clock)', async () => {
    const clock = new SimulatedClock();
    const s = createScheduler({ clock, defaultRetry: { attempts: 2, backoffMs: 2 ** 32 } });
    s.scheduleTask({ id: 'long', timeoutMs: 2 ** 32, run: () => new Promise(() => {}) });
    await settle();
    clock.increment(2 ** 31);
    await settle();
    expect(s.getTask('long')).toMatchObject({ status: 'running', attempts: 1 });
    clock.increment(2 ** 31);
    await settle();
    expect(s.getTask('long')).toMatchObject({ status: 'pending', pendingReason: 'backoff' });
    clock.increment(2 ** 32);
    await settle();
    expect(s.getTask('long')).toMatchObject({ status: 'running', attempts: 2 });
    await s.stop({ graceMs: 0 });
  });
});

describe('createScheduler options refused with field, expected and found', () => {
  const cases: [string, Record<string, unknown>, RegExp][] = [
    ['a handler that is not a function', { handlers: { proof: 'verify.js' } }, /options\.handlers\.proof: expected a function, received "verify\.js"/],
    ['handlers that are not an object', { handlers: [() => 1] }, /options\.handlers: expected an object of functions by task type/],
    ['autoStart that is not a boolean', { autoStart: 'no' }, /options\.autoStart: expected true or false, received "no"/],
    ['a backoffFactor below 1', { defaultRetry: { backoffFactor: 0.5 } }, /options\.defaultRetry\.backoffFactor: expected a finite number >= 1, received 0\.5/],
    ['defaultRetry that is not an object', { defaultRetry: 3 }, /options\.defaultRetry: expected an object/],
    ['a policy object without createQueue', { policy: {} }, /options\.policy: expected one of priority, fifo.*or a SchedulingPolicy object \{ name, createQueue \}, received \{\}/],
    ['a policy name that only looks valid', { policy: 'toString' }, /options\.policy: expected one of priority/],
    ['a clock without its functions', { clock: {} }, /options\.clock: expected an object with setTimeout, clearTimeout and now functions, received \{\}/],
    ['a bad priorityBoost', { policyOptions: { priorityBoost: -1 } }, /options\.policyOptions\.priorityBoost: expected a finite number >= 0, received -1/],
    ['a bad agingIntervalMs', { policyOptions: { priorityBoost: 1, agingIntervalMs: 'soon' } }, /options\.policyOptions\.agingIntervalMs: expected a finite number/],
    ['a bad group weight', { policy: 'fair-share', policyOptions: { groupWeights: { a: -2 } } }, /options\.policyOptions\.groupWeights\.a: expected a finite number > 0, received -2/],
    ['a backfill that is not a boolean', { policyOptions: { backfill: 'yes' } }, /options\.policyOptions\.backfill: expected true or false/],
    ['an inspect that is neither a function nor an observer', { inspect: 42 }, /options\.inspect: expected a function or an observer object/],
    ['a priority name that only looks valid', { defaultPriority: 'constructor' }, /options\.defaultPriority: expected 1-5 or one of/],
    ['an unknown option', { maxWorkerz: 3 }, /options\.maxWorkerz: unknown option.*did you mean "maxWorkers"/],
  ];
  for (const [what, options, message] of cases) {
    it(`refuses ${what}`, () => {
      let thrown: unknown;
      try {
        createScheduler(options as never);
      } catch (error) {
        thrown = error;
      }
      expect(thrown).toBeInstanceOf(SchedulerError);
      expect((thrown as Error).message).toMatch(message);
    });
  }
});

describe('inputs that only look valid', () => {
  it('refuses a type or priority named after an Object.prototype member', () => {
    const s = createScheduler({ handlers: { proof: async () => 1 } });
    expect(() => s.scheduleTask({ type: 'toString' })).toThrow(/no handler is registered for type "toString"/);
    expect(() => s.scheduleTask({ type: 'constructor' })).toThrow(/no handler is registered for type "constructor"/);
    expect(() => s.scheduleTask({ type: 'proof', priority: 'valueOf' as never })).toThrow(/priority: expected 1-5/);
    expect(s.listTasks()).toHaveLength(0);
  });

  it('refuses resources that are not a mapping (null, a list, a number, a string) by name, scheduling nothing', () => {
    const s = createScheduler({ resources: { cpu: 2 } });
    for (const resources of [null, [1], 3, 'auto']) {
      expect(() => s.scheduleTask({ run: async () => 1, resources } as never)).toThrow(/^task\.resources: expected an object of resource amounts/);
    }
    expect(s.listTasks()).toHaveLength(0);
  });

  it('runs tasks whose ids and names are Object.prototype members or odd strings', async () => {
    const s = createScheduler();
    const ids = ['__proto__', 'constructor', 'toString', 'hasOwnProperty', ' ', '\u0000', 'a:b'];
    // A name must show a character other than spaces; an id need not.
    s.scheduleTasks(ids.map((id, i) => ({ id, ...(/\S/.test(id) ? { name: id } : {}), dependencies: i > 0 ? [ids[i - 1] as string] : [], run: async () => id })));
    await s.onIdle();
    for (const id of ids) expect(s.getTask(id)).toMatchObject({ status: 'completed', result: id });
    await s.stop();
  });

  it('copies a task\'s resources, so mutating the spec afterwards cannot corrupt the pools', async () => {
    const s = createScheduler({ resources: { cpu: 2 }, maxWorkers: 2 });
    const resources = { cpu: 1 };
    const work = manualWork();
    s.scheduleTask({ id: 'a', resources, run: work.run });
    await settle();
    resources.cpu = 0;
    work.resolve(1);
    await s.onIdle();
    expect(s.getStats().resources['cpu']).toMatchObject({ used: 0 });
    await s.stop();
  });

  it('does not allocate per worker up front: a huge maxWorkers costs nothing', async () => {
    const s = createScheduler({ maxWorkers: Number.MAX_SAFE_INTEGER });
    expect(await s.waitForTask(s.scheduleTask({ run: async () => 7 }))).toMatchObject({ result: 7 });
    await s.stop();
  });

  it('refuses a cancel reason that is not a string', () => {
    const s = createScheduler();
    const id = s.scheduleTask({ run: async () => 1 });
    expect(() => s.cancelTask(id, 42 as never)).toThrow(/reason: expected a string, received 42/);
    expect(s.getTaskStatus(id)).toBe('pending');
  });
});

const FINAL = ['completed', 'failed', 'cancelled'];

/** Runs one known-good task and checks it completes: the scheduler still works. */
async function stillWorks(s: ReturnType<typeof createScheduler>): Promise<void> {
  const id = s.scheduleTask({ run: async () => 'ok' });
  expect(await s.waitForTask(id)).toMatchObject({ status: 'completed', result: 'ok' });
}

describe('every public input, adversarially', () => {
  const optionKeys = ['maxWorkers', 'resources', 'handlers', 'defaultTimeoutMs', 'defaultRetry', 'maxDependencyDepth', 'dependencyTimeoutMs', 'defaultPriority', 'autoStart', 'maxFinishedRecords', 'policy', 'policyOptions', 'inspect', 'clock'];
  const odd = fc.oneof(
    fc.anything(),
    fc.constantFrom(0, -0, -1, 0.5, 1e300, -1e300, Number.MAX_SAFE_INTEGER, 2 ** 53 + 2, NaN, Infinity, -Infinity),
    fc.constantFrom('toString', 'constructor', '__proto__', 'valueOf', '', ' ', 'priority', 'fifo'),
  );

  it('createScheduler either works or throws a SchedulerError naming the option', async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...optionKeys), odd, async (key, value) => {
        let s: ReturnType<typeof createScheduler> | undefined;
        try {
          s = createScheduler({ [key]: value } as never);
        } catch (error) {
          expect(error).toBeInstanceOf(SchedulerError);
          expect((error as Error).message).toContain(key);
          return;
        }
        if (key === 'autoStart' && value === false) return void (await s.stop({ graceMs: 0 }));
        if (key === 'clock' || key === 'resources') return void (await s.stop({ graceMs: 0 }));
        const id = s.scheduleTask({ run: async () => 'ok', timeoutMs: 0 });
        expect(FINAL).toContain((await s.waitForTask(id)).status);
        await s.stop({ graceMs: 0 });
      }),
      { numRuns: 300 },
    );
  });

  const specKeys = [
    'id', 'name', 'type', 'priority', 'dependencies', 'resources', 'config', 'run', 'timeoutMs', 'retry', 'estimateMs', 'group',
    'memoryLimit', 'runs', 'inputs', 'outputs', 'envInputs', 'cacheKey', 'cache', 'baseDir', 'maxInterruptions', 'race', 'idempotent',
  ];

  it('scheduleTask either schedules or throws a SchedulerError naming the field; nothing scheduled is harmed', async () => {
    const s = createScheduler({ maxWorkers: 2, resources: { cpu: 2 }, defaultRetry: { attempts: 1 } });
    const held = s.scheduleTask({ id: 'held', resources: { cpu: 1 }, run: () => new Promise((resolve) => setTimeout(resolve, 5, 'held')) });
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...specKeys), odd, async (key, value) => {
        const before = s.listTasks().length;
        try {
          s.scheduleTask({ run: async () => 'x', timeoutMs: 10_000, [key]: value } as never);
        } catch (error) {
          expect(error).toBeInstanceOf(SchedulerError);
          expect((error as Error).message).toContain(key === 'run' ? 'run' : key);
          expect(s.listTasks().length).toBe(before);
        }
      }),
      { numRuns: 400 },
    );
    await s.onIdle();
    expect(s.getTask(held)).toMatchObject({ status: 'completed', result: 'held' });
    expect(s.getStats().resources['cpu']).toMatchObject({ used: 0 });
    expect(s.listTasks().every((task) => FINAL.includes(task.status))).toBe(true);
    await stillWorks(s);
    await s.stop({ graceMs: 0 });
  });

  it('ids and names from fc.string() work, or are refused when empty, of only spaces (names) or starting with "#" (ids)', async () => {
    const seen = { refusedIds: 0, refusedNames: 0 };
    await fc.assert(
      fc.asyncProperty(fc.uniqueArray(fc.string(), { minLength: 1, maxLength: 8 }), fc.string(), async (ids, name) => {
        const s = createScheduler();
        const valid = ids.filter((id) => id.length > 0 && !id.startsWith('#'));
        if (valid.length !== ids.length) {
          expect(() => s.scheduleTasks(ids.map((id) => ({ id, run: async () => id })))).toThrow(SchedulerError);
          expect(s.listTasks()).toHaveLength(0);
          seen.refusedIds++;
        }
        if (name !== '' && !/\S/.test(name)) {
          expect(() => s.scheduleTasks(valid.map((id) => ({ id, name, run: async () => id })))).toThrow(SchedulerError);
          expect(s.listTasks()).toHaveLength(0);
          seen.refusedNames++;
        }
        const shown = /\S/.test(name) ? { name } : {};
        s.scheduleTasks(valid.map((id, i) => ({ id, ...shown, dependencies: valid.slice(0, i).slice(-1), run: async () => id })));
        await s.onIdle();
        for (const id of valid) expect(s.getTask(id)).toMatchObject({ status: 'completed', result: id });
        await s.stop();
      }),
      { numRuns: 100, examples: [[['#1', 'a'], ' ']] },
    );
    // Both refusals were exercised.
    expect(Math.min(seen.refusedIds, seen.refusedNames)).toBeGreaterThan(0);
  });

  it('calls with odd ids or arguments throw a SchedulerError and change nothing', async () => {
    const s = createScheduler({ autoStart: false });
    const id = s.scheduleTask({ run: async () => 1 });
    await fc.assert(
      fc.property(odd, odd, (a, b) => {
        for (const call of [
          () => s.getTask(a as never),
          () => s.getTaskStatus(a as never),
          () => s.cancelTask(a as never, b as never),
          () => s.cancelTask(id, b as never),
          () => s.updateTaskPriority(id, a as never),
          () => s.explainTask(a as never),
          () => s.executeTask(a as never),
          () => s.getQueue(a as never),
          () => s.scheduleTasks(a as never),
        ]) {
          try {
            call();
          } catch (error) {
            expect(error).toBeInstanceOf(SchedulerError);
          }
        }
        const status = s.getTaskStatus(id);
        expect(['pending', 'cancelled']).toContain(status);
      }),
      { numRuns: 200 },
    );
    await s.stop({ graceMs: 0 });
  });
});

describe('maxFinishedRecords', () => {
  it('keeps at most that many finished records', async () => {
    const s = createScheduler({ maxFinishedRecords: 16, maxWorkers: 8 });
    const counts: number[] = [];
    s.events.on('task:completed', () => counts.push(s.listTasks().filter((t) => t.status === 'completed').length));
    for (let i = 0; i < 100; i++) s.scheduleTask({ run: async () => i });
    await s.onIdle();
    expect(s.listTasks().length).toBe(16);
    expect(Math.max(...counts)).toBe(16); // before the fix: up to 18 (1/8 over)
    await s.stop();
  });
});

describe('errors inside the machinery end the task, never hang it', () => {
  it('fails a task whose actor threw inside its own transition, frees its worker, and reports it', async () => {
    // The clock throws when the doomed task's attempt arms its timeout: inside the task actor's
    // transition. (A store that cannot write no longer serves here: it halts the scheduler.)
    const clock: SchedulerClock = {
      now: () => Date.now(),
      setTimeout: (fn, timeout) => {
        if (timeout === 4242) throw new Error('disk on fire');
        return setTimeout(fn, timeout);
      },
      clearTimeout: (id) => clearTimeout(id as ReturnType<typeof setTimeout>),
    };
    const s = createScheduler({ clock, maxWorkers: 1, defaultRetry: { attempts: 1 } });
    const errors: Error[] = [];
    s.events.on('error', ({ error }) => errors.push(error));
    s.scheduleTasks([{ id: 'doomed', timeoutMs: 4242, run: async () => 1 }, { id: 'next', run: async () => 2 }]);
    await s.onIdle();
    expect(s.getTask('doomed')).toMatchObject({ status: 'failed' });
    expect(s.getTask('doomed').error?.message).toMatch(/failed inside the scheduler: disk on fire/);
    expect(s.getTask('next')).toMatchObject({ status: 'completed', result: 2 });
    expect(s.getStats()).toMatchObject({ running: 0, pending: 0 });
    expect(errors.some((e) => /disk on fire/.test(e.message))).toBe(true);
    await s.stop();
  });

  it('fails an attempt the executor refuses by throwing, instead of leaving it running', async () => {
    const inline = inlineExecutor();
    const executor = { ...inline, get inFlight() { return inline.inFlight; }, start: () => { throw new Error('no room'); } };
    const s = createScheduler({ executor, defaultRetry: { attempts: 1 } });
    const id = s.scheduleTask({ run: async () => 1 });
    expect(await s.waitForTask(id)).toMatchObject({ status: 'failed', error: expect.objectContaining({ message: 'no room' }) });
    await s.stop();
  });
});

describe('errors of policies and invariant checks', () => {
  it('are SchedulerErrors naming their cause', async () => {
    const { agingRatePerMs } = await import('../../src/policies/agingRatePerMs.js');
    const { resolvePolicy } = await import('../../src/policies/resolvePolicy.js');
    const { InvariantViolationError } = await import('../../src/simulate/InvariantViolationError.js');
    const { InvalidOptionsError } = await import('../../src/errors.js');
    expect(() => agingRatePerMs(-1)).toThrow(InvalidOptionsError);
    expect(() => resolvePolicy('dice' as never)).toThrow(InvalidOptionsError);
    expect(new InvariantViolationError([])).toBeInstanceOf(SchedulerError);
    expect(new InvariantViolationError([]).code).toBe('INVARIANT_VIOLATION');
  });
});
