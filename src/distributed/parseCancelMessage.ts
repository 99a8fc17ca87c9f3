import type { CancelMessage } from './AttemptJob.js';

/**
 * A message of the cancel channel as a coordinator publishes it, or undefined for anything else
 * (not JSON, no job id, no reason): anyone with access to Redis can publish there, and one bad
 * message must not take down every worker listening.
 *
 * @example
 * parseCancelMessage('{"jobId":"r.t.1","reason":{"name":"TaskCancelledError","message":"stop"}}'); // { jobId: 'r.t.1', reason: … }
 * parseCancelMessage('not json'); // undefined
 */
export function parseCancelMessage(text: string): CancelMessage | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null) return undefined;
  const { jobId, reason } = value as Partial<Record<keyof CancelMessage, unknown>>;
  if (typeof jobId !== 'string' || typeof reason !== 'object' || reason === null) return undefined;
  const { name, message, stack, code } = reason as Record<string, unknown>;
  if (typeof name !== 'string' || typeof message !== 'string') return undefined;
  return {
    jobId,
    reason: {
      name,
      message,
      stack: typeof stack === 'string' ? stack : undefined,
      code: typeof code === 'string' || typeof code === 'number' ? code : undefined,
    },
  };
}
