import type { Readable } from 'node:stream';

/** What {@link captureOutput} has kept of a stream so far. */
export interface CapturedOutput {
  /** The kept bytes decoded as UTF-8. */
  text(): string;
  /** Whether bytes beyond the limit were dropped. */
  readonly isTruncated: boolean;
}

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
  const chunks: Buffer[] = [];
  let kept = 0;
  let isTruncated = false;
  stream.on('data', (chunk: Buffer) => {
    const part = chunk.subarray(0, Math.max(0, maxBytes - kept));
    if (part.length > 0) chunks.push(part);
    kept += part.length;
    if (part.length < chunk.length) isTruncated = true;
  });
  return {
    text: () => Buffer.concat(chunks).toString('utf8'),
    get isTruncated() {
      return isTruncated;
    },
  };
}
