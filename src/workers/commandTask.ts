import { spawn } from 'node:child_process';
import { identifyRun } from '../history/runIdentity.js';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TaskContext, TaskRun, TaskSpec } from '../types.js';
import { captureOutput } from './captureOutput.js';
import { CommandFailedError } from './CommandFailedError.js';
import { configToEnv } from './configToEnv.js';
import { createProcessGroupTerminator, type ProcessGroupTerminator } from './createProcessGroupTerminator.js';
import { createProcessGroupMonitor, type ProcessGroupMonitor } from './createProcessGroupMonitor.js';
import { MemoryLimitError } from '../errors.js';
import { MEMORY_UNIT_BYTES } from '../estimates/LearnedEstimates.js';

/** Options of {@link commandTask}. */
export interface CommandTaskOptions {
  /** Extra environment variables; they override both the inherited ones and the `XENO_*` ones. */
  env?: Readonly<Record<string, string>>;
  /** Working directory of the command. @default process.cwd() */
  cwd?: string;
  /**
   * Bytes kept of stdout and of stderr, each; the rest is read and dropped.
   * @default 1048576 (1 MiB)
   */
  maxOutputBytes?: number;
  /** The shell that runs the command line, called as `<shell> -c <command>`. @default '/bin/sh' */
  shell?: string;
  /**
   * Milliseconds between SIGTERM and SIGKILL when the command's processes are ended.
   * @default 2000
   */
  killGraceMs?: number;
  /**
   * What ends the command's process group; give your own to hurry the kills (on a second Ctrl-C)
   * or to wait for them before `process.exit()`.
   * @default one terminator shared by every command task that is given none
   */
  /**
   * Lets the command add children: each attempt gets an empty file named by `XENO_SPAWN_FILE`,
   * and what the command wrote there when it exits with code 0 is read with this function
   * (`source` names the file for error messages) and spawned as the task's children
   * (`ctx.spawn`). A throw (invalid specs) or a refused spawn fails the attempt with that error.
   * The CLI reads the workload's own task shape: one mapping of task names to tasks.
   * @default none: `XENO_SPAWN_FILE` is not set
   */
  readSpawnFile?: (text: string, source: string) => readonly TaskSpec<any>[];
  terminator?: ProcessGroupTerminator;
  /**
   * What samples the command's process group for its peak memory and CPU time (reported to the
   * scheduler through `ctx.reportUsage`, and checked against `memoryLimit: 'enforce'`).
   * @default one monitor shared by every command task, sampling every 100 ms (Linux /proc)
   */
  monitor?: ProcessGroupMonitor;
}

/** What a command task resolves with when the command exits with code 0. */
export interface CommandResult {
  readonly exitCode: number;
  readonly stdout: string;
  readonly stderr: string;
  /** Whether stdout or stderr went over `maxOutputBytes` and was cut. */
  readonly truncated: boolean;
  /** Wall-clock time from spawn to exit, in milliseconds. */
  readonly durationMs: number;
}

const sharedTerminator = createProcessGroupTerminator();
const sharedMonitor = createProcessGroupMonitor();

/** Extra time after SIGKILL for the pipes to close before they are closed from our side. */
const pipeCloseMarginMs = 200;

/**
 * A work function that runs a shell command line. The task's config reaches the command as
 * environment variables (see {@link configToEnv}), with `XENO_TASK_ID`, `XENO_TASK_NAME`,
 * `XENO_TASK_TYPE` and `XENO_ATTEMPT`. It resolves with the captured output on exit code 0 and
 * rejects with a {@link CommandFailedError} otherwise.
 *
 * The command runs in a process group of its own. When the task's signal aborts, the whole group
 * gets SIGTERM, then SIGKILL after `killGraceMs`, and the task rejects with the signal's reason.
 * When the command exits, members of its group still running (background jobs) are ended the
 * same way, so no process outlives its task.
 *
 * While it runs, its process group's resident memory and CPU time are sampled (Linux; see
 * {@link createProcessGroupMonitor}) and reported with `ctx.reportUsage`. With the task's
 * `memoryLimit: 'enforce'` (`ctx.task.memoryLimitBytes`), a group that goes over the limit is
 * ended like an abort and the task rejects with a {@link MemoryLimitError}.
 *
 * @example
 * ```ts
 * scheduler.scheduleTask({
 *   name: 'prove',
 *   config: { depth: 3, prover: { name: 'z3' } },
 *   run: commandTask('prove --depth "$XENO_CONFIG_DEPTH" --with "$XENO_CONFIG_PROVER_NAME"'),
 * });
 * ```
 */
export function commandTask(command: string, options: CommandTaskOptions = {}): TaskRun<any> {
  const { maxOutputBytes = 1024 * 1024, killGraceMs = 2000 } = options;
  if (typeof command !== 'string' || command.trim() === '') {
    throw new TypeError(`commandTask: command: expected a non-empty string, found ${JSON.stringify(command)}`);
  }
  assertNonNegativeInteger('maxOutputBytes', maxOutputBytes);
  assertNonNegativeInteger('killGraceMs', killGraceMs);
  const settings = { ...options, maxOutputBytes, killGraceMs };
  const identity = { kind: 'command', command } as const;
  const { readSpawnFile } = options;
  if (readSpawnFile === undefined) return identifyRun((ctx: TaskContext) => runCommand(command, ctx, settings, {}), identity);
  return identifyRun(async (ctx: TaskContext) => {
    const dir = await mkdtemp(join(tmpdir(), 'xeno-spawn-'));
    const file = join(dir, 'children.yaml');
    try {
      const result = await runCommand(command, ctx, settings, { XENO_SPAWN_FILE: file });
      const text = await readFile(file, 'utf8').catch((error: NodeJS.ErrnoException) => {
        if (error.code === 'ENOENT') return '';
        throw error;
      });
      if (text.trim() !== '') ctx.spawn(readSpawnFile(text, `XENO_SPAWN_FILE of task "${ctx.task.id}"`));
      return result;
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }, identity);
}

type Settings = CommandTaskOptions & Required<Pick<CommandTaskOptions, 'maxOutputBytes' | 'killGraceMs'>>;

async function runCommand(command: string, ctx: TaskContext, settings: Settings, extraEnv: Readonly<Record<string, string>>): Promise<CommandResult> {
  const { signal } = ctx;
  signal.throwIfAborted();
  const startedAt = performance.now();
  const child = spawn(settings.shell ?? '/bin/sh', ['-c', command], {
    cwd: settings.cwd,
    env: { ...process.env, ...taskEnv(ctx), ...extraEnv, ...settings.env },
    // A new process group, so the command and everything it starts can be signalled together.
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const stdout = captureOutput(child.stdout, settings.maxOutputBytes);
  const stderr = captureOutput(child.stderr, settings.maxOutputBytes);

  let pipeCloser: NodeJS.Timeout | undefined;
  const endGroup = (): void => {
    if (child.pid === undefined || pipeCloser !== undefined) return;
    (settings.terminator ?? sharedTerminator).terminate(child.pid, settings.killGraceMs);
    // A process that left the group may still hold our pipes open; stop waiting for it.
    pipeCloser = setTimeout(() => {
      child.stdout.destroy();
      child.stderr.destroy();
    }, settings.killGraceMs + pipeCloseMarginMs);
  };

  let overLimit: MemoryLimitError | undefined;
  const limitBytes = child.pid === undefined ? undefined : ctx.task.memoryLimitBytes;
  const watch =
    child.pid === undefined
      ? undefined
      : (settings.monitor ?? sharedMonitor).watch(child.pid, {
          ...(limitBytes === undefined
            ? {}
            : {
                limitBytes,
                onOverLimit: (usage) => {
                  const request = (ctx.task.resources['memory'] ?? 0) * MEMORY_UNIT_BYTES;
                  overLimit = new MemoryLimitError(ctx.task.id, usage.peakRssBytes, request, limitBytes);
                  endGroup();
                },
              }),
        });

  return new Promise<CommandResult>((resolve, reject) => {
    signal.addEventListener('abort', endGroup, { once: true });
    const finish = (): void => {
      signal.removeEventListener('abort', endGroup);
      clearTimeout(pipeCloser);
    };
    child.once('error', (error) => {
      watch?.stop();
      finish();
      reject(error);
    });
    child.once('exit', () => {
      const usage = watch?.stop();
      if (usage !== undefined) ctx.reportUsage?.(usage);
      endGroup();
    });
    child.once('close', (exitCode, exitSignal) => {
      finish();
      if (overLimit !== undefined) {
        reject(overLimit);
        return;
      }
      if (signal.aborted) {
        reject(signal.reason);
        return;
      }
      const output = { stdout: stdout.text(), stderr: stderr.text() };
      if (exitCode !== 0) {
        reject(new CommandFailedError(command, { exitCode, signal: exitSignal, ...output }));
        return;
      }
      const truncated = stdout.isTruncated || stderr.isTruncated;
      resolve({ exitCode, ...output, truncated, durationMs: performance.now() - startedAt });
    });
  });
}

function taskEnv({ task, config, attempt }: TaskContext): Record<string, string> {
  return {
    ...configToEnv(config),
    XENO_TASK_ID: task.id,
    XENO_TASK_NAME: task.name,
    XENO_TASK_TYPE: task.type,
    XENO_ATTEMPT: String(attempt),
  };
}

function assertNonNegativeInteger(field: keyof CommandTaskOptions, value: number): void {
  if (!Number.isInteger(value) || value < 0) {
    throw new RangeError(`commandTask: options.${field}: expected an integer >= 0, found ${String(value)}`);
  }
}
