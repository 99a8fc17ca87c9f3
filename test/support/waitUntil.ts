/** Polls `check` every 50 ms until it holds, or throws after `ms`: for a condition another process brings about. */
export async function waitUntil(check: () => boolean, ms = 20_000): Promise<void> {
  const until = Date.now() + ms;
  while (!check()) {
    if (Date.now() > until) throw new Error(`condition not met within ${ms} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
