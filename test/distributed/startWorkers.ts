import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const WORKER = fileURLToPath(new URL('../fixtures/distributed/workerProcess.ts', import.meta.url));

/** Options of one test worker process (see test/fixtures/distributed/workerProcess.ts). */
export interface WorkerProcessOptions {
  readonly node: string;
  readonly concurrency?: number;
  readonly lockDurationMs?: number;
  readonly prefix?: string;
  readonly slowFactor?: number;
  readonly resources?: Record<string, number>;
}

/** A worker process a test started. */
export interface WorkerProcess {
  readonly node: string;
  readonly child: ChildProcess;
  readonly stderr: () => string;
  /** SIGKILL, and waits for the exit. */
  kill(): Promise<void>;
}

/** Starts worker processes on `url` and waits until each has announced itself. */
export async function startWorkers(url: string, workers: readonly WorkerProcessOptions[]): Promise<WorkerProcess[]> {
  return Promise.all(
    workers.map(async (options) => {
      const child = spawn(process.execPath, ['--import', 'tsx', WORKER, JSON.stringify({ url, ...options })], { stdio: ['ignore', 'pipe', 'pipe'] });
      let stderr = '';
      child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
      await new Promise<void>((resolve, reject) => {
        child.stdout?.setEncoding('utf8').on('data', (chunk: string) => chunk.includes('ready ') && resolve());
        child.once('exit', (code) => reject(new Error(`worker for ${options.node} exited with ${code}: ${stderr}`)));
      });
      return {
        node: options.node,
        child,
        stderr: () => stderr,
        async kill() {
          if (child.exitCode !== null || child.signalCode !== null) return;
          const exited = new Promise((resolve) => child.once('exit', resolve));
          child.kill('SIGKILL');
          await exited;
        },
      };
    }),
  );
}
