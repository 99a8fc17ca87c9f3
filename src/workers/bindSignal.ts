import { AsyncResource } from 'node:async_hooks';

/**
 * A signal that aborts with `signal`, but whose listeners run in the async context of this call
 * rather than that of whoever aborts: what a task prints while it stops is then still its own.
 *
 * @example
 * ```ts
 * await runCapturingOutput(() => work({ ...ctx, signal: bindSignal(ctx.signal) }), maxBytes);
 * ```
 */
export function bindSignal(signal: AbortSignal): AbortSignal {
  const bound = new AbortController();
  if (signal.aborted) bound.abort(signal.reason);
  else signal.addEventListener('abort', AsyncResource.bind(() => bound.abort(signal.reason)), { once: true });
  return bound.signal;
}
