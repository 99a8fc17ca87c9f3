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
  /** The SIGKILL timer of each group within its grace. */
  const graces = new Map<number, NodeJS.Timeout>();
  const waiters: (() => void)[] = [];
  let isHurried = false;

  const kill = (groupId: number): void => {
    clearTimeout(graces.get(groupId));
    graces.delete(groupId);
    signalGroup(groupId, 'SIGKILL');
    if (graces.size > 0) return;
    for (const wake of waiters.splice(0)) wake();
  };

  return {
    terminate(groupId, graceMs) {
      if (graces.has(groupId) || !signalGroup(groupId, 'SIGTERM')) return;
      // Left referenced on purpose: the process should not exit while a member may still ignore SIGTERM.
      graces.set(groupId, setTimeout(() => kill(groupId), graceMs));
      if (isHurried) kill(groupId);
    },
    hurry() {
      isHurried = true;
      for (const groupId of [...graces.keys()]) kill(groupId);
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
 * Sends a signal to a whole group; false when it cannot: the group is gone (ESRCH) or, rarely,
 * a member is not ours to signal (EPERM), where nothing more can be done from here.
 */
function signalGroup(groupId: number, signal: NodeJS.Signals): boolean {
  try {
    process.kill(-groupId, signal);
    return true;
  } catch {
    return false;
  }
}
