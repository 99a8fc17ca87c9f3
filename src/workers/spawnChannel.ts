import { randomUUID } from 'node:crypto';
import { BroadcastChannel, receiveMessageOnPort, type MessagePort } from 'node:worker_threads';
import { TaskSchedulingError } from '../errors.js';
import type { TaskSpec } from '../types.js';
import { reviveError, serializeError, type SerializedError } from './serializeError.js';

/**
 * What a worker-thread task holds to spawn children through the main thread: the name of its
 * pool's broadcast channel, its attempt's key there, and a shared flag the main thread raises
 * once it has answered. Cloned with each job: opening a MessagePort per job would cost more than
 * a small task does.
 */
export interface SpawnChannel {
  readonly name: string;
  readonly key: number;
  readonly answered: Int32Array;
}

/** A worker thread's request: the specs of one `spawn` call. */
interface SpawnRequest {
  readonly key: number;
  readonly specs: readonly TaskSpec<any>[];
  readonly answered: Int32Array;
}

/** The main thread's answer to one spawn: the children's ids, or the refusal with its field. */
type SpawnAnswer = { readonly key: number } & (
  | { readonly ok: true; readonly ids: string[] }
  | { readonly ok: false; readonly error: SerializedError; readonly field: string | undefined }
);

/** The main thread's end: one per worker pool. */
export interface SpawnHost {
  /** A channel for one attempt's job, whose spawns reach `spawn` until `close()`. */
  open(spawn: (specs: readonly TaskSpec<any>[]) => string[]): { readonly channel: SpawnChannel; close(): void };
  /** Stops listening. */
  close(): void;
}

/**
 * The main thread's end of a pool's spawn channel: worker threads' `spawn` calls (see
 * {@link openThreadSpawn}) reach the `spawn` of the attempt whose job made them (its
 * `ctx.spawn`), and each is answered as soon as it arrives. It does not keep the process alive.
 *
 * @example
 * const host = createSpawnHost();
 * const { channel, close } = host.open(ctx.spawn);
 * try { await piscina.run({ ...request, spawn: channel }); } finally { close(); }
 */
export function createSpawnHost(): SpawnHost {
  const name = `xeno-scheduler spawn ${randomUUID()}`;
  const spawns = new Map<number, (specs: readonly TaskSpec<any>[]) => string[]>();
  let nextKey = 0;
  let broadcast: BroadcastChannel | undefined;
  const answer = ({ key, specs, answered }: SpawnRequest): void => {
    let reply: SpawnAnswer;
    try {
      const spawn = spawns.get(key);
      if (spawn === undefined) throw new TaskSchedulingError('spawn: the task\'s attempt is over', 'spawn');
      reply = { key, ok: true, ids: spawn(specs) };
    } catch (error) {
      reply = { key, ok: false, error: serializeError(error), field: error instanceof TaskSchedulingError ? error.field : undefined };
    }
    (broadcast as BroadcastChannel).postMessage(reply);
    Atomics.store(answered, 0, 1);
    Atomics.notify(answered, 0);
  };
  return {
    open(spawn) {
      if (broadcast === undefined) {
        broadcast = new BroadcastChannel(name);
        broadcast.onmessage = (event) => {
          const message = (event as { data: SpawnRequest | SpawnAnswer }).data;
          if ('specs' in message) answer(message);
        };
        broadcast.unref();
      }
      const key = nextKey++;
      spawns.set(key, spawn);
      return { channel: { name, key, answered: new Int32Array(new SharedArrayBuffer(4)) }, close: () => spawns.delete(key) };
    },
    close() {
      broadcast?.close();
      broadcast = undefined;
    },
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
 * task's children, and waits for the answer with `Atomics.wait` (a worker thread may block), so
 * the call returns the children's ids, or throws the refusal, as `ctx.spawn` does anywhere else.
 * Specs are data: a function (a `run`, a `cacheKey` function) cannot cross a thread boundary and
 * is refused here, naming its field.
 *
 * @example
 * const { spawn, close } = openThreadSpawn(request.spawn);
 * try { return await work({ ...payload, spawn }); } finally { close(); }
 */
export function openThreadSpawn({ name, key, answered }: SpawnChannel): ThreadSpawn {
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
      // Open only for this call: it hears every answer the main thread broadcasts meanwhile.
      const broadcast = new BroadcastChannel(name);
      try {
        try {
          broadcast.postMessage({ key, specs, answered } satisfies SpawnRequest);
        } catch (error) {
          throw new TaskSchedulingError(`spawn: expected task specs a worker thread can send (structured-cloneable data), found ${serializeError(error).message}`, 'spawn');
        }
        Atomics.wait(answered, 0, 0);
        Atomics.store(answered, 0, 0);
        // The answer was queued before the flag was raised; others' requests and answers are skipped.
        // (Node takes a BroadcastChannel here since 15.12; @types/node still says MessagePort.)
        const port = broadcast as unknown as MessagePort;
        for (let received = receiveMessageOnPort(port); received !== undefined; received = receiveMessageOnPort(port)) {
          const answer = received.message as SpawnRequest | SpawnAnswer;
          if ('specs' in answer || answer.key !== key) continue;
          if (answer.ok) return answer.ids;
          if (answer.error.name !== 'TaskSchedulingError') throw reviveError(answer.error);
          const refusal = new TaskSchedulingError(answer.error.message, answer.field);
          if (answer.error.stack !== undefined) refusal.stack = answer.error.stack;
          throw refusal;
        }
        throw new Error('spawn: the main thread raised its flag without an answer');
      } finally {
        broadcast.close();
      }
    },
    close() {
      isOpen = false;
    },
  };
}
