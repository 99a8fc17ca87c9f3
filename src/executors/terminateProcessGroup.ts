/**
 * Ends a process group: SIGTERM to every member now, SIGKILL to whatever is left after
 * `graceMs`. Children and grandchildren go with the leader, as long as none of them started a
 * group of its own. A group that no longer exists is not an error.
 *
 * @example
 * ```ts
 * const child = spawn('/bin/sh', ['-c', 'make -j8'], { detached: true });
 * signal.addEventListener('abort', () => terminateProcessGroup(child.pid!, 2000));
 * ```
 */
export function terminateProcessGroup(groupId: number, graceMs: number): void {
  if (!signalGroup(groupId, 'SIGTERM')) return;
  // Left referenced on purpose: the process should not exit while a member may still ignore SIGTERM.
  setTimeout(() => signalGroup(groupId, 'SIGKILL'), graceMs);
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
