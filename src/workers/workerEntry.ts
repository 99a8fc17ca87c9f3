import { performance } from 'node:perf_hooks';
import { getHeapStatistics } from 'node:v8';
import { loadExport } from './loadExport.js';
import { runCapturingOutput } from './runCapturingOutput.js';
import { serializeError, type SerializedError } from './serializeError.js';
import { openThreadSpawn, type SpawnChannel } from './spawnChannel.js';
import type { TaskSpec } from '../types.js';

/** What a worker-thread task receives: the cloneable part of a `TaskContext`. */
export interface WorkerPayload<Config = Record<string, unknown>> {
  readonly config: Config;
  readonly attempt: number;
  readonly task: { readonly id: string; readonly name: string; readonly type: string };
}

/**
 * What the export is called with: the payload, and `spawn`, the task's `ctx.spawn` (not
 * enumerable: a payload returned or spread as data still clones). It schedules the specs as the
 * task's children through the main thread and returns their ids, synchronously; specs are data
 * (a `run` function cannot cross threads: give a `type`).
 */
export type WorkerTaskInput<Config = Record<string, unknown>> = WorkerPayload<Config> & {
  spawn(specs: readonly TaskSpec<any>[]): string[];
};

/** One job posted to a worker thread. */
export interface WorkerRequest {
  /** Absolute `file:` URL of the task module. */
  readonly moduleUrl: string;
  readonly exportName: string;
  readonly payload: WorkerPayload;
  /** Keep up to this many bytes of what the export prints to stdout and stderr, each, and send them back instead of writing them. */
  readonly captureOutputBytes?: number;
  /** Where the export's `spawn` sends children. */
  readonly spawn: SpawnChannel;
}

/** What the export printed, with `captureOutputBytes`. */
export interface WorkerOutput {
  readonly stdout: string;
  readonly stderr: string;
  readonly truncated: boolean;
}

/**
 * What a thread measured of one task: its V8 heap (used plus external memory such as Buffers),
 * the highest seen when its event loop was free and at the end, and the active time of its event
 * loop while the task ran (its CPU time, for CPU-bound work; time blocked in synchronous I/O counts
 * too). Threads share the process, so nothing per thread is measured by the OS.
 */
export interface WorkerUsage {
  readonly heapBytes: number;
  readonly activeMs: number;
}

/** A worker's answer. Failures travel as data so the error keeps its name, message and stack. */
export type WorkerReply = (
  | { readonly ok: true; readonly value: unknown }
  | { readonly ok: false; readonly error: SerializedError }
) & { readonly output?: WorkerOutput; readonly usage?: WorkerUsage };

/** How often a thread's heap is looked at while its task waits on something, in ms. */
const HEAP_SAMPLE_MS = 50;

function heapNow(): number {
  const heap = getHeapStatistics();
  return heap.used_heap_size + heap.external_memory;
}

/** Runs `work`, measuring the thread's heap and event-loop activity meanwhile. */
async function measured(work: () => Promise<WorkerReply>): Promise<WorkerReply> {
  const before = performance.eventLoopUtilization();
  let peak = heapNow();
  const sampler = setInterval(() => (peak = Math.max(peak, heapNow())), HEAP_SAMPLE_MS);
  try {
    const reply = await work();
    peak = Math.max(peak, heapNow());
    return { ...reply, usage: { heapBytes: peak, activeMs: performance.eventLoopUtilization(before).active } };
  } finally {
    clearInterval(sampler);
  }
}

/**
 * The function piscina calls in each worker thread: loads the requested export (cached by the
 * module system after the first call) and runs it on the payload, keeping what it prints when
 * asked to.
 *
 * @example
 * ```ts
 * // Called by piscina, never directly; shown for the message shape.
 * await runInWorker({ moduleUrl: 'file:///app/tasks/hash.mjs', exportName: 'default', payload });
 * ```
 */
export default function runInWorker(request: WorkerRequest): Promise<WorkerReply> {
  return measured(() => runRequest(request));
}

async function runRequest(request: WorkerRequest): Promise<WorkerReply> {
  const threadSpawn = openThreadSpawn(request.spawn);
  const input = Object.defineProperty({ ...request.payload }, 'spawn', { value: threadSpawn.spawn, enumerable: false }) as WorkerTaskInput;
  const run = async (): Promise<unknown> => {
    try {
      const work = await loadExport(request.moduleUrl, request.exportName);
      return await (work as (input: WorkerTaskInput) => unknown)(input);
    } finally {
      threadSpawn.close();
    }
  };
  if (request.captureOutputBytes === undefined) {
    try {
      return { ok: true, value: await run() };
    } catch (error) {
      return { ok: false, error: serializeError(error) };
    }
  }
  const { outcome, ...output } = await runCapturingOutput(run, request.captureOutputBytes);
  return outcome.status === 'fulfilled' ? { ok: true, value: outcome.value, output } : { ok: false, error: serializeError(outcome.reason), output };
}
