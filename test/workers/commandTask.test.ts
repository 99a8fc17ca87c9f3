import { afterAll, describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { commandTask } from '../../src/workers/commandTask.js';
import { CommandFailedError } from '../../src/workers/CommandFailedError.js';
import { isRunning, readPidFile, waitUntilGone } from './processState.js';
import { taskContext } from './taskContext.js';

const scratch = mkdtempSync(join(tmpdir(), 'xeno-command-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** Starts a command and aborts it once `pidFile` holds a pid; resolves with that pid and the outcome. */
async function abortOnceStarted(script: string, pidFile: string, killGraceMs: number) {
  const controller = new AbortController();
  const reason = new Error('timed out');
  const outcome = Promise.resolve(
    commandTask(script, { env: { PID_FILE: pidFile }, killGraceMs })(taskContext({}, { signal: controller.signal })),
  ).catch((error: unknown) => error);
  const pid = await readPidFile(pidFile);
  expect(isRunning(pid)).toBe(true);
  controller.abort(reason);
  return { pid, reason, error: await outcome };
}

describe('commandTask', () => {
  it('resolves with exit code, output and duration when the command succeeds', async () => {
    const result = await commandTask('echo out; echo err >&2')(taskContext({}));
    expect(result).toMatchObject({ exitCode: 0, stdout: 'out\n', stderr: 'err\n', truncated: false });
    expect((result as { durationMs: number }).durationMs).toBeGreaterThan(0);
  });

  it('rejects with a CommandFailedError carrying exit code and output on a non-zero exit', async () => {
    const error = await Promise.resolve(commandTask('echo partial; echo "no proof found" >&2; exit 3')(taskContext({}))).catch(
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(CommandFailedError);
    expect(error).toMatchObject({
      code: 'COMMAND_FAILED',
      name: 'CommandFailedError',
      exitCode: 3,
      signal: null,
      stdout: 'partial\n',
      stderr: 'no proof found\n',
      message: 'command "echo partial; echo "no proof found" >&2; exit 3" exited with code 3: no proof found',
    });
  });

  it('reports the signal when the command is killed by one', async () => {
    await expect(commandTask('kill -KILL $$')(taskContext({}))).rejects.toMatchObject({ exitCode: null, signal: 'SIGKILL' });
  });

  it('passes the config flattened into XENO_CONFIG_* variables, with the task identity and attempt', async () => {
    const config = { depth: 3, prover: { name: 'z3' } };
    const print = commandTask('printf "%s|%s|%s|%s|%s|%s" "$XENO_CONFIG_DEPTH" "$XENO_CONFIG_PROVER_NAME" "$XENO_TASK_ID" "$XENO_TASK_NAME" "$XENO_ATTEMPT" "$XENO_CONFIG_JSON"');
    await expect(print(taskContext(config, { id: 'prove', attempt: 2 }))).resolves.toMatchObject({
      stdout: `3|z3|prove|prove name|2|${JSON.stringify(config)}`,
    });
  });

  it('runs in cwd with the extra env, which overrides the XENO_* variables', async () => {
    const print = commandTask('printf "%s %s %s" "$(pwd)" "$GREETING" "$XENO_CONFIG_DEPTH"', {
      cwd: scratch,
      env: { GREETING: 'hello', XENO_CONFIG_DEPTH: '9' },
    });
    await expect(print(taskContext({ depth: 3 }))).resolves.toMatchObject({ stdout: `${scratch} hello 9` });
  });

  it('keeps at most maxOutputBytes of each stream and says it truncated', async () => {
    const chatty = commandTask("head -c 200000 /dev/zero | tr '\\0' a; echo short >&2", { maxOutputBytes: 1000 });
    const result = (await chatty(taskContext({}))) as { stdout: string; stderr: string; truncated: boolean };
    expect(result.stdout).toBe('a'.repeat(1000));
    expect(result.stderr).toBe('short\n');
    expect(result.truncated).toBe(true);
  });

  it('kills the whole process group on abort, background grandchildren included, and rejects with the reason', async () => {
    const pidFile = join(scratch, 'grandchild.pid');
    const { pid, reason, error } = await abortOnceStarted('sleep 30 & echo $! > "$PID_FILE"; wait', pidFile, 2000);
    expect(error).toBe(reason);
    expect(await waitUntilGone(pid, 1000)).toBe(true);
  });

  it('escalates to SIGKILL for processes that ignore SIGTERM', async () => {
    const pidFile = join(scratch, 'stubborn.pid');
    const script = `sh -c 'trap "" TERM; echo $$ > "$PID_FILE"; exec sleep 30' & wait`;
    const { pid, reason, error } = await abortOnceStarted(script, pidFile, 150);
    expect(error).toBe(reason);
    // The pipes close while the killed process exits, a moment before it is a zombie.
    expect(await waitUntilGone(pid, 1000)).toBe(true);
  });

  it('ends background jobs the command leaves behind when it exits', async () => {
    const pidFile = join(scratch, 'leftover.pid');
    const leaveBehind = commandTask('sleep 30 & echo $! > "$PID_FILE"; echo done', { env: { PID_FILE: pidFile } });
    await expect(leaveBehind(taskContext({}))).resolves.toMatchObject({ exitCode: 0, stdout: 'done\n' });
    expect(await waitUntilGone(await readPidFile(pidFile), 1000)).toBe(true);
  });

  it('rejects with the reason without starting when the signal is already aborted', async () => {
    const reason = new Error('cancelled');
    const marker = join(scratch, 'never');
    const ctx = taskContext({}, { signal: AbortSignal.abort(reason) });
    await expect(commandTask(`touch ${marker}`)(ctx)).rejects.toBe(reason);
    await delay(100);
    expect(existsSync(marker)).toBe(false);
  });

  it('throws at once on an empty command, naming the argument', () => {
    expect(() => commandTask(' ')).toThrow(/commandTask: command: expected a non-empty string, found " "/);
  });
});
