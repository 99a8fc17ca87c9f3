/**
 * Runs `body` with this process's uncaught exceptions caught into a list (vitest's own handler
 * set aside meanwhile, so a test can expect one), and puts the handlers back after.
 *
 * @example
 * await catchUncaught(async (uncaught) => { … expect(uncaught).toHaveLength(1); });
 */
export async function catchUncaught(body: (uncaught: Error[]) => Promise<void>): Promise<void> {
  const uncaught: Error[] = [];
  const onUncaught = (error: Error): void => void uncaught.push(error);
  const listeners = process.listeners('uncaughtException');
  process.removeAllListeners('uncaughtException');
  process.on('uncaughtException', onUncaught);
  try {
    await body(uncaught);
  } finally {
    process.off('uncaughtException', onUncaught);
    for (const listener of listeners) process.on('uncaughtException', listener);
  }
}
