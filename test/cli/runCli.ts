import { spawn, type ChildProcessByStdio } from 'node:child_process';
import type { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';

/** The repository's root: workloads are given relative to it, as a user in a checkout would. */
export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const BIN = fileURLToPath(new URL('../../src/cli/bin.ts', import.meta.url));

/** How a CLI process ended and what it printed. */
export interface CliResult {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** A CLI process still running. */
export interface CliProcess {
  readonly child: ChildProcessByStdio<null, Readable, Readable>;
  /** Output so far. */
  readonly stdout: () => string;
  readonly stderr: () => string;
  readonly result: Promise<CliResult>;
}

/**
 * Starts `xeno-scheduler <args>` from the sources (`node --import tsx src/cli/bin.ts`), with stdout
 * a pipe (not a terminal), in the repository's root. The process is killed after `timeoutMs` so a
 * hung CLI fails its test instead of stalling the suite.
 */
export function startCli(args: readonly string[], options: { env?: Record<string, string>; timeoutMs?: number } = {}): CliProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', BIN, ...args], {
    cwd: ROOT,
    env: { ...process.env, NO_COLOR: '1', ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 20_000);
  const result = new Promise<CliResult>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
  return { child, stdout: () => stdout, stderr: () => stderr, result };
}

/** Runs `xeno-scheduler <args>` to its end; see {@link startCli}. */
export function runCli(args: readonly string[], options: { env?: Record<string, string>; timeoutMs?: number } = {}): Promise<CliResult> {
  return startCli(args, options).result;
}

/**
 * Starts `xeno-scheduler <args>` (see {@link startCli}) and SIGKILLs it, as a crash would, once
 * `isReady` (polled every 20 ms with the output so far) says so; resolves when it is gone.
 */
export async function killCliWhen(args: readonly string[], isReady: (stdout: string) => boolean): Promise<CliResult> {
  const killed = startCli(args);
  await new Promise<void>((resolve) => {
    const poll = setInterval(() => {
      if (isReady(killed.stdout())) {
        clearInterval(poll);
        resolve();
      }
    }, 20);
  });
  killed.child.kill('SIGKILL');
  return killed.result;
}
