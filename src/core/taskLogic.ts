import { assign } from 'xstate';
import { taskMachine } from '../../machines/taskMachine.js';
import { TaskTimeoutError } from '../errors.js';

/**
 * The task machine as the scheduler runs it: an attempt that runs out of time records a
 * {@link TaskTimeoutError}. The machine itself stays pure (it imports nothing of the runtime's);
 * this is where the runtime's error class is plugged in. The runtime provides its effects
 * (`startWork`, `abortWork`, ...) on top with `taskLogic.provide(...)`.
 *
 * @example
 * const actor = createActor(taskLogic.provide({ actions: { startWork: ... } }), { input });
 */
export const taskLogic = taskMachine.provide({
  actions: {
    recordTimeout: assign({ error: ({ context }) => new TaskTimeoutError(context.id, context.timeoutMs) }),
  },
});
