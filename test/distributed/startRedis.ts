import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findTool, requireTool } from '../support/requireTool.js';

/** A Redis server of a test's own. */
export interface TestRedis {
  readonly url: string;
  stop(): Promise<void>;
}

/** The redis-server binary, or undefined when it is not installed (tests ask `requireTool('redis-server')`). */
export const REDIS_SERVER = findTool('redis-server');

/**
 * Why tests that need Redis cannot run here, or undefined: `requireTool('redis-server')`, so with
 * CI set a missing redis-server fails the importing test file instead of skipping it. New tests
 * call `requireTool` themselves; this name stays for the suites that import it.
 */
export const SKIP_REASON = requireTool('redis-server');

/** A free TCP port on 127.0.0.1. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/**
 * Starts redis-server on 127.0.0.1 and a free port, without persistence (no RDB, no AOF) in a
 * temporary directory removed at `stop()`.
 */
export async function startRedis(onPort?: number): Promise<TestRedis> {
  const port = onPort ?? (await freePort());
  const dir = mkdtempSync(join(tmpdir(), 'xeno-redis-'));
  const child: ChildProcess = spawn(REDIS_SERVER as string, ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  await new Promise<void>((resolve, reject) => {
    let seen = '';
    child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
      seen += chunk;
      if (seen.includes('Ready to accept connections')) resolve();
    });
    child.once('exit', (code) => reject(new Error(`redis-server exited with ${code}: ${seen}`)));
  });
  child.stdout?.resume();
  return {
    url: `redis://127.0.0.1:${port}`,
    async stop() {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGKILL');
      await exited;
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
