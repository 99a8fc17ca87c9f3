import { loadExport } from './loadExport.js';
import { runCapturingOutput } from './runCapturingOutput.js';
import { serializeError, type SerializedError } from './serializeError.js';

/** What a worker-thread task receives: the cloneable part of a `TaskContext`. */
export interface WorkerPayload<Config = Record<string, unknown>> {
  readonly config: Config;
  readonly attempt: number;
  readonly task: { readonly id: string; readonly name: string; readonly type: string };
}

/** One job posted to a worker thread. */
export interface WorkerRequest {
  /** Absolute `file:` URL of the task module. */
  readonly moduleUrl: string;
  readonly exportName: string;
  readonly payload: WorkerPayload;
  /** Keep up to this many bytes of what the export prints to stdout and stderr, each, and send them back instead of writing them. */
  readonly captureOutputBytes?: number;
}

/** What the export printed, with `captureOutputBytes`. */
export interface WorkerOutput {
  readonly stdout: string;
  readonly stderr: string;
  readonly truncated: boolean;
}

/** A worker's answer. Failures travel as data so the error keeps its name, message and stack. */
export type WorkerReply = (
  | { readonly ok: true; readonly value: unknown }
  | { readonly ok: false; readonly error: SerializedError }
) & { readonly output?: WorkerOutput };

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
export default async function runInWorker(request: WorkerRequest): Promise<WorkerReply> {
  const run = async (): Promise<unknown> => {
    const work = await loadExport(request.moduleUrl, request.exportName);
    return (work as (payload: WorkerPayload) => unknown)(request.payload);
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
