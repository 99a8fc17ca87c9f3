import type { IncomingMessage } from 'node:http';

/** A request body the dashboard will not read, with the HTTP status that says why. */
export class BodyError extends Error {
  readonly status: 400 | 413 | 415;
  constructor(status: 400 | 413 | 415, message: string) {
    super(message);
    this.name = 'BodyError';
    this.status = status;
  }
}

/**
 * Reads a small `application/json` request body. Rejects with a {@link BodyError}: 415 for another
 * content type (which also forces a CORS preflight on cross-site callers), 413 past `limitBytes`,
 * 400 for bad JSON.
 *
 * @example
 * const body = await readJsonBody(request, 4096);
 */
export async function readJsonBody(request: IncomingMessage, limitBytes: number): Promise<unknown> {
  const type = request.headers['content-type'] ?? '';
  if (!/^application\/json\s*(;|$)/i.test(type)) {
    throw new BodyError(415, `expected Content-Type application/json, received ${JSON.stringify(type)}`);
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    size += (chunk as Buffer).length;
    if (size > limitBytes) throw new BodyError(413, `expected a body of at most ${limitBytes} bytes`);
    chunks.push(chunk as Buffer);
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown;
  } catch {
    throw new BodyError(400, 'expected a JSON body');
  }
}
