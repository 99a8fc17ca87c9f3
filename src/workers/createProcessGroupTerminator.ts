/** How often a group within its grace is looked for, in ms: gone, it needs no SIGKILL. */
const GONE_POLL_MS = 50;

/** Ends process groups, and knows which of them are still within their grace period. */
export interface ProcessGroupTerminator {
  /**
   * Sends SIGTERM to every member of the group now, and SIGKILL to whatever is left after
   * `graceMs`. A group already being ended, or that no longer exists, is left alone.
   */
  terminate(groupId: number, graceMs: number): void;
  /** Sends SIGKILL now to every group within its grace, and ends later groups without one. */
  hurry(): void;
  /** Groups that had SIGTERM and wait for their SIGKILL. */
  readonly pending: number;
  /**
   * Resolves once no group waits for its SIGKILL. A process that exits while some do would skip
   * their SIGKILL: await this before `process.exit()`.
   */
  settled(): Promise<void>;
}

/**
 * Creates a {@link ProcessGroupTerminator}. Children and grandchildren go with their group, as long
 * as none of them started a group of its own.
 *
 * @example
 * ```ts
 * const terminator = createProcessGroupTerminator();
 * const child = spawn('/bin/sh', ['-c', 'make -j8'], { detached: true });
 * signal.addEventListener('abort', () => terminator.terminate(child.pid!, 2000));
 * process.once('SIGINT', () => terminator.hurry());
 * await terminator.settled();
 * ```
 */
export function createProcessGroupTerminator(): ProcessGroupTerminator {
  /** Each group within its grace: its SIGKILL timer, and the poll that notices it is gone sooner. */
  const graces = new Map<number, { readonly kill: NodeJS.Timeout; readonly poll: NodeJS.Timeout }>();
  const waiters: (() => void)[] = [];
  let isHurried = false;

  /** The group's grace is over: SIGKILL to what is left of it (`kill`), or nothing (it is gone). */
  const end = (groupId: number, kill: boolean): void => {
    const grace = graces.get(groupId);
    if (grace !== undefined) {
      clearTimeout(grace.kill);
      clearInterval(grace.poll);
    }
    graces.delete(groupId);
    if (kill) signalGroup(groupId, 'SIGKILL');
    if (graces.size > 0) return;
    for (const wake of waiters.splice(0)) wake();
  };

  return {
    terminate(groupId, graceMs) {
      if (graces.has(groupId) || !signalGroup(groupId, 'SIGTERM')) return;
      graces.set(groupId, {
        // Left referenced on purpose: the process should not exit while a member may still ignore SIGTERM.
        kill: setTimeout(() => end(groupId, true), graceMs),
        // A group whose every member heeded SIGTERM needs no SIGKILL, and nobody should wait for one.
        poll: setInterval(() => signalGroup(groupId, 0) || end(groupId, false), GONE_POLL_MS).unref(),
      });
      if (isHurried) end(groupId, true);
    },
    hurry() {
      isHurried = true;
      for (const groupId of [...graces.keys()]) end(groupId, true);
    },
    get pending() {
      return graces.size;
    },
    settled() {
      if (graces.size === 0) return Promise.resolve();
      return new Promise((resolve) => waiters.push(resolve));
    },
  };
}

/**
 * Sends a signal to a whole group (0: none, only asks whether it is there); false when it cannot: the group is gone (ESRCH) or, rarely,
 * a member is not ours to signal (EPERM), where nothing more can be done from here.
 */
function signalGroup(groupId: number, signal: NodeJS.Signals | 0): boolean {
  try {
    process.kill(-groupId, signal);
    return true;
  } catch {
    return false;
  }
}
