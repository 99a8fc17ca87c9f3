/** Output kept up to a limit; see {@link createOutputBuffer}. */
export interface OutputBuffer {
  /** Keeps as much of `chunk` as the limit leaves room for. */
  append(chunk: Uint8Array | string, encoding?: BufferEncoding): void;
  /** The kept bytes decoded as UTF-8. */
  text(): string;
  /** Whether bytes beyond the limit were dropped. */
  readonly isTruncated: boolean;
}

/**
 * Keeps the first `maxBytes` bytes appended and drops the rest, so chatty work cannot fill the
 * scheduler's memory.
 *
 * @example
 * ```ts
 * const buffer = createOutputBuffer(4);
 * buffer.append('hello');
 * buffer.text(); // 'hell'
 * buffer.isTruncated; // true
 * ```
 */
export function createOutputBuffer(maxBytes: number): OutputBuffer {
  const chunks: Buffer[] = [];
  let kept = 0;
  let isTruncated = false;
  return {
    append(chunk, encoding = 'utf8') {
      const bytes = typeof chunk === 'string' ? Buffer.from(chunk, encoding) : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
      const part = bytes.subarray(0, Math.max(0, maxBytes - kept));
      if (part.length > 0) chunks.push(Buffer.from(part));
      kept += part.length;
      if (part.length < bytes.length) isTruncated = true;
    },
    text: () => Buffer.concat(chunks).toString('utf8'),
    get isTruncated() {
      return isTruncated;
    },
  };
}
