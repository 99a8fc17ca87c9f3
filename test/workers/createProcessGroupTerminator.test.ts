import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createProcessGroupTerminator } from '../../src/workers/createProcessGroupTerminator.js';
import { isRunning, readPidFile, waitUntilGone } from './processState.js';

const scratch = mkdtempSync(join(tmpdir(), 'xeno-terminator-'));

/** Starts a group whose leader and `sleep` ignore SIGTERM; resolves with the group id and the sleep's pid. */
async function startStubbornGroup(name: string): Promise<{ groupId: number; sleepPid: number }> {
  const pidFile = join(scratch, `${name}.pid`);
  const child = spawn('/bin/sh', ['-c', `trap '' TERM; sleep 30 & echo $! > "${pidFile}"; wait`], { detached: true, stdio: 'ignore' });
  child.unref();
  const sleepPid = await readPidFile(pidFile);
  return { groupId: child.pid ?? -1, sleepPid };
}

describe('createProcessGroupTerminator', () => {
  it('kills a group that ignores SIGTERM once its grace is over, and settles then', async () => {
    const terminator = createProcessGroupTerminator();
    const { groupId, sleepPid } = await startStubbornGroup('grace');
    const startedAt = Date.now();
    terminator.terminate(groupId, 300);
    expect(terminator.pending).toBe(1);
    await terminator.settled();
    expect(Date.now() - startedAt).toBeGreaterThanOrEqual(290);
    expect(terminator.pending).toBe(0);
    expect(await waitUntilGone(sleepPid, 1000)).toBe(true);
  });

  it('kills every group within its grace at once when hurried, and later groups without a grace', async () => {
    const terminator = createProcessGroupTerminator();
    const first = await startStubbornGroup('hurried');
    const second = await startStubbornGroup('after-hurry');
    terminator.terminate(first.groupId, 60_000);
    terminator.hurry();
    await terminator.settled();
    expect(await waitUntilGone(first.sleepPid, 1000)).toBe(true);
    expect(isRunning(second.sleepPid)).toBe(true);
    terminator.terminate(second.groupId, 60_000);
    expect(terminator.pending).toBe(0);
    expect(await waitUntilGone(second.sleepPid, 1000)).toBe(true);
  });

  it('settles as soon as a group that heeds SIGTERM is gone, without waiting out its grace', async () => {
    const terminator = createProcessGroupTerminator();
    const pidFile = join(scratch, 'heeds.pid');
    const child = spawn('/bin/sh', ['-c', `sleep 30 & echo $! > "${pidFile}"; wait`], { detached: true, stdio: 'ignore' });
    const sleepPid = await readPidFile(pidFile);
    terminator.terminate(child.pid ?? -1, 60_000);
    expect(terminator.pending).toBe(1);
    // Within a minute-long grace: settled well before it (a Ctrl-C that ended everything exits at once).
    const settled = await Promise.race([terminator.settled().then(() => 'settled'), new Promise((resolve) => setTimeout(resolve, 10_000, 'still waiting'))]);
    expect(settled).toBe('settled');
    expect(terminator.pending).toBe(0);
    expect(isRunning(sleepPid)).toBe(false);
  });

  it('leaves a group that no longer exists alone', async () => {
    const terminator = createProcessGroupTerminator();
    const child = spawn('/bin/sh', ['-c', 'exit 0'], { detached: true, stdio: 'ignore' });
    await new Promise((resolve) => child.once('exit', resolve));
    terminator.terminate(child.pid ?? -1, 60_000);
    expect(terminator.pending).toBe(0);
    await expect(terminator.settled()).resolves.toBeUndefined();
  });
});
