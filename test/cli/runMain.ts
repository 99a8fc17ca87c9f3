import type { CliIo } from '../../src/cli/CliIo.js';
import { main } from '../../src/cli/main.js';

/** What {@link runMain} saw. */
export interface MainResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * Runs the command line in this process (faster than a subprocess, for commands that run no
 * workload): `main` with streams that keep what is written.
 */
export async function runMain(args: readonly string[]): Promise<MainResult> {
  let stdout = '';
  let stderr = '';
  const sink = (append: (text: string) => void) => ({ write: (text: string) => (append(text), true) }) as unknown as NodeJS.WritableStream;
  const io: CliIo = { stdout: sink((text) => (stdout += text)), stderr: sink((text) => (stderr += text)) };
  const code = await main(['node', 'xeno-scheduler', ...args], io);
  return { code, stdout, stderr };
}
