/**
 * Waits for `closing` at most `ms` (BullMQ's `close()` can hang on a lost connection); a close
 * that fails is as good as done here.
 *
 * @example
 * await closeWithin(worker.close(), 2000);
 */
export async function closeWithin(closing: Promise<unknown> | undefined, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, ms);
  });
  await Promise.race([Promise.resolve(closing).catch(() => undefined), expired]);
  clearTimeout(timer);
}
