import { AsyncLocalStorage } from 'node:async_hooks';
import { createOutputBuffer, type OutputBuffer } from './createOutputBuffer.js';

/** What a run printed, kept instead of written; see {@link runCapturingOutput}. */
export interface CapturedRun<T> {
  /** How the work ended. */
  readonly outcome: PromiseSettledResult<T>;
  /** What it wrote to `process.stdout` (`console.log`, `console.info`, …), decoded as UTF-8. */
  readonly stdout: string;
  /** What it wrote to `process.stderr` (`console.error`, `console.warn`, …). */
  readonly stderr: string;
  /** Whether stdout or stderr went over the limit and was cut. */
  readonly truncated: boolean;
}

interface Sink {
  readonly stdout: OutputBuffer;
  readonly stderr: OutputBuffer;
  isOpen: boolean;
}

type Write = NodeJS.WriteStream['write'];

const storage = new AsyncLocalStorage<Sink>();
let originalStderrWrite: Write | undefined;

/**
 * Routes writes to one of this thread's standard streams by the async context they come from:
 * a capturing run's go to its sink, writes a run makes after it ended (a stray timer) go to
 * stderr, never stdout, and every other write goes where it always went.
 */
function divert(stream: NodeJS.WriteStream, pick: (sink: Sink) => OutputBuffer): void {
  const original = stream.write.bind(stream) as Write;
  if (stream === process.stderr) originalStderrWrite = original;
  stream.write = function write(chunk: Uint8Array | string, ...rest: unknown[]): boolean {
    const sink = storage.getStore();
    if (sink === undefined) return (original as (...args: unknown[]) => boolean)(chunk, ...rest);
    if (!sink.isOpen) return (originalStderrWrite as (...args: unknown[]) => boolean)(chunk, ...rest);
    pick(sink).append(chunk, typeof rest[0] === 'string' && Buffer.isEncoding(rest[0]) ? rest[0] : undefined);
    const callback = rest.find((arg) => typeof arg === 'function') as ((error?: Error | null) => void) | undefined;
    if (callback) queueMicrotask(() => callback(null));
    return true;
  } as Write;
}

let isInstalled = false;

function install(): void {
  if (isInstalled) return;
  isInstalled = true;
  divert(process.stderr, (sink) => sink.stderr);
  divert(process.stdout, (sink) => sink.stdout);
}

/**
 * Runs `work` and keeps what it prints to this thread's `process.stdout` and `process.stderr`
 * (the first `maxBytes` of each) instead of writing it, so work sharing a process with a
 * command line cannot mix into its output. What counts as the work's is decided by async context
 * (AsyncLocalStorage), so runs at the same time keep their output apart. After the work has
 * settled, whatever its leftover timers print goes to stderr.
 *
 * @example
 * ```ts
 * const { outcome, stdout } = await runCapturingOutput(() => render(report), 1024 * 1024);
 * if (outcome.status === 'fulfilled') save(outcome.value, stdout);
 * ```
 */
export async function runCapturingOutput<T>(work: () => T | PromiseLike<T>, maxBytes: number): Promise<CapturedRun<Awaited<T>>> {
  install();
  const sink: Sink = { stdout: createOutputBuffer(maxBytes), stderr: createOutputBuffer(maxBytes), isOpen: true };
  let outcome: PromiseSettledResult<Awaited<T>>;
  try {
    outcome = { status: 'fulfilled', value: await storage.run(sink, work) };
  } catch (reason) {
    outcome = { status: 'rejected', reason };
  }
  sink.isOpen = false;
  return { outcome, stdout: sink.stdout.text(), stderr: sink.stderr.text(), truncated: sink.stdout.isTruncated || sink.stderr.isTruncated };
}
