import { spawn } from 'node:child_process';

/**
 * Runs one generation of a crash-test child (`node --import tsx <script> <args>`) and, when
 * `killAfterMs` is given, SIGKILLs it that long after it printed the line `ready`. Resolves with
 * its output and whether the test killed it; rejects when it ended any other way than by that
 * kill or with exit code 0.
 *
 * @example
 * const { stdout, killed } = await killableGeneration(CHILD, [store, log, '1'], { ready: 'spawned', killAfterMs: 50 });
 */
export function killableGeneration(
  script: string,
  args: readonly string[],
  options: { readonly ready: string; readonly killAfterMs: number | undefined },
): Promise<{ stdout: string; killed: boolean }> {
  const child = spawn(process.execPath, ['--import', 'tsx', script, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  const readyLine = `${options.ready}\n`;
  let stdout = '';
  let stderr = '';
  let killed = false;
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    const wasReady = stdout.includes(readyLine);
    stdout += chunk;
    if (!wasReady && stdout.includes(readyLine) && options.killAfterMs !== undefined) {
      setTimeout(() => {
        killed = child.kill('SIGKILL');
      }, options.killAfterMs);
    }
  });
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  return new Promise((resolve, reject) => {
    child.once('exit', (code, signal) => {
      if (signal === 'SIGKILL' && killed) resolve({ stdout, killed: true });
      else if (code === 0) resolve({ stdout, killed: false });
      else reject(new Error(`${args.join(' ')}: exited with ${code ?? signal}: ${stderr}`));
    });
  });
}
