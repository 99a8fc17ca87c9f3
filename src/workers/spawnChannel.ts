import { MessageChannel, receiveMessageOnPort, type MessagePort } from 'node:worker_threads';
import { TaskSchedulingError } from '../errors.js';
import type { TaskSpec } from '../types.js';
import { reviveError, serializeError, type SerializedError } from './serializeError.js';

/**
 * What a worker thread holds to spawn children through the main thread: a port to send the specs
 * on, and a shared flag the main thread raises once its answer is on the port.
 */
export interface SpawnChannel {
  readonly port: MessagePort;
  readonly answered: Int32Array;
}

/** The main thread's answer to one spawn: the children's ids, or the refusal with its field. */
type SpawnAnswer =
  | { readonly ok: true; readonly ids: string[] }
  | { readonly ok: false; readonly error: SerializedError; readonly field: string | undefined };

/** The main thread's end of a {@link SpawnChannel}. */
export interface SpawnChannelHost {
  /** Goes with the worker request (its port in the request's transfer list). */
  readonly channel: SpawnChannel;
  /** Stops listening; the port no longer keeps the event loop alive. */
  close(): void;
}

/**
 * Opens a channel on which a worker thread's `spawn` calls reach `spawn` (the attempt's
 * `ctx.spawn`) on this thread. Each call is answered at once, before anything else this thread
 * does, and the worker blocks until then (see {@link openThreadSpawn}).
 *
 * @example
 * const host = openSpawnChannel(ctx.spawn);
 * try { await piscina.run({ ...request, spawn: host.channel }, { transferList: [host.channel.port] }); } finally { host.close(); }
 */
export function openSpawnChannel(spawn: (specs: readonly TaskSpec<any>[]) => string[]): SpawnChannelHost {
  const { port1, port2 } = new MessageChannel();
  const answered = new Int32Array(new SharedArrayBuffer(4));
  port1.on('message', (specs: readonly TaskSpec<any>[]) => {
    let answer: SpawnAnswer;
    try {
      answer = { ok: true, ids: spawn(specs) };
    } catch (error) {
      answer = { ok: false, error: serializeError(error), field: error instanceof TaskSchedulingError ? error.field : undefined };
    }
    port1.postMessage(answer);
    Atomics.store(answered, 0, 1);
    Atomics.notify(answered, 0);
  });
  return {
    channel: { port: port2, answered },
    close: () => port1.close(),
  };
}

/** The path of the first function inside `value` (`run`, `race[1].cacheKey`), if any. */
function functionPath(value: unknown, path: string, seen = new Set<unknown>()): string | undefined {
  if (typeof value === 'function') return path;
  if (typeof value !== 'object' || value === null || seen.has(value)) return undefined;
  seen.add(value);
  for (const [key, inner] of Object.entries(value)) {
    const found = functionPath(inner, Array.isArray(value) ? `${path}[${key}]` : `${path}.${key}`, seen);
    if (found !== undefined) return found;
  }
  return undefined;
}

/** A worker thread's end of a {@link SpawnChannel}. */
export interface ThreadSpawn {
  /** The task's `spawn`: see {@link openThreadSpawn}. */
  spawn(specs: readonly TaskSpec<any>[]): string[];
  /** The task has returned: a later `spawn` (from a callback it left behind) throws instead of waiting. */
  close(): void;
}

/**
 * A worker thread's `ctx.spawn`: sends `specs` to the main thread, which schedules them as the
 * task's children, and waits for the answer (a few microseconds of the main thread's time) with
 * `Atomics.wait`, so the call returns the children's ids, or throws the refusal, as `ctx.spawn`
 * does anywhere else. Specs are data: a function (a `run`, a `cacheKey` function) cannot cross a
 * thread boundary and is refused here, naming its field.
 *
 * @example
 * const { spawn, close } = openThreadSpawn(request.spawn);
 * try { return await work({ ...payload, spawn }); } finally { close(); }
 */
export function openThreadSpawn({ port, answered }: SpawnChannel): ThreadSpawn {
  let isOpen = true;
  return {
    spawn(specs) {
      if (!isOpen) throw new TaskSchedulingError('spawn: the task has returned: its attempt is over', 'spawn');
      if (!Array.isArray(specs)) throw new TaskSchedulingError(`spawn: expected an array of task specs, found ${typeof specs}`, 'spawn');
      for (const [i, spec] of specs.entries()) {
        const field = functionPath(spec, `spawn[${i}]`);
        if (field !== undefined) {
          throw new TaskSchedulingError(
            `${field}: expected data, found a function: work in a worker thread spawns children through the main thread, and a function cannot cross to it; give a type (a registered handler) instead`,
            field,
          );
        }
      }
      try {
        port.postMessage(specs);
      } catch (error) {
        throw new TaskSchedulingError(`spawn: expected task specs a worker thread can send (structured-cloneable data), found ${serializeError(error).message}`, 'spawn');
      }
      Atomics.wait(answered, 0, 0);
      Atomics.store(answered, 0, 0);
      const answer = receiveMessageOnPort(port)?.message as SpawnAnswer | undefined;
      if (answer === undefined) throw new Error('spawn: the main thread answered nothing');
      if (answer.ok) return answer.ids;
      if (answer.error.name !== 'TaskSchedulingError') throw reviveError(answer.error);
      const refusal = new TaskSchedulingError(answer.error.message, answer.field);
      if (answer.error.stack !== undefined) refusal.stack = answer.error.stack;
      throw refusal;
    },
    close() {
      isOpen = false;
      port.close();
    },
  };
}
