import type { Readable } from 'node:stream';
import { createOutputBuffer, type OutputBuffer } from './createOutputBuffer.js';

/** What {@link captureOutput} has kept of a stream so far. */
export type CapturedOutput = Pick<OutputBuffer, 'text' | 'isTruncated'>;

/**
 * Keeps the first `maxBytes` of a stream and drops the rest while still draining it, so a chatty
 * process neither blocks on a full pipe nor fills the scheduler's memory.
 *
 * @example
 * ```ts
 * const stdout = captureOutput(child.stdout, 1024 * 1024);
 * child.on('close', () => console.log(stdout.text(), stdout.isTruncated));
 * ```
 */
export function captureOutput(stream: Readable, maxBytes: number): CapturedOutput {
  const buffer = createOutputBuffer(maxBytes);
  stream.on('data', (chunk: Buffer) => buffer.append(chunk));
  return buffer;
}
