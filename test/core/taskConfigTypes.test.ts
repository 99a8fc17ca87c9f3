import { describe, expectTypeOf, it } from 'vitest';
import { createScheduler } from '../../src/core/createScheduler.js';
import type { TaskContext, TaskSpec } from '../../src/types.js';

// Checked by `npm run lint` (tsc): an unused @ts-expect-error fails it, so each line below must be an error.
describe('the type of config', () => {
  it('is the batch element\'s own config in scheduleTasks, as in scheduleTask', () => {
    // Nothing starts: the runs below are only type-checked.
    const scheduler = createScheduler({ autoStart: false, handlers: { generic: () => undefined } });
    scheduler.scheduleTasks([
      { config: { depth: 2 }, run: ({ config }) => expectTypeOf(config).toEqualTypeOf<{ depth: number }>() },
      { config: { name: 'x' }, run: ({ config }) => expectTypeOf(config).toEqualTypeOf<{ name: string }>() },
    ]);
    // @ts-expect-error depth is a number: the batch's run sees its config's type, not any
    scheduler.scheduleTasks([{ config: { depth: 2 }, run: ({ config }) => config.depth.toUpperCase() }]);
    // @ts-expect-error nam is not a key of the config
    scheduler.scheduleTasks([{ config: { name: 'x' }, run: ({ config }) => config.nam }]);
    // @ts-expect-error the same check as scheduleTask's
    scheduler.scheduleTask({ config: { depth: 2 }, run: ({ config }) => config.depth.toUpperCase() });
    // Arrays built elsewhere still go in as they are.
    const built: TaskSpec[] = [{ id: 'a' }];
    const readonlyBuilt: readonly TaskSpec[] = [{ id: 'b' }];
    expectTypeOf(scheduler.scheduleTasks(built)).toEqualTypeOf<string[]>();
    expectTypeOf(scheduler.scheduleTasks(readonlyBuilt)).toEqualTypeOf<string[]>();
    void scheduler.stop();
  });

  it('is Record<string, unknown> in a handler registered by type, unless the handler declares its own', () => {
    const scheduler = createScheduler({
      autoStart: false,
      handlers: {
        inline: ({ config }) => expectTypeOf(config).toEqualTypeOf<Record<string, unknown>>(),
        declared: (ctx: TaskContext<{ depth: number }>) => ctx.config.depth.toFixed(),
      },
    });
    const unchecked = createScheduler({
      autoStart: false,
      handlers: {
        // @ts-expect-error config.depth is unknown, not any: it must be checked before use
        inline: ({ config }) => config.depth.toFixed(),
      },
    });
    void scheduler.stop();
    void unchecked.stop();
  });
});
