import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { bullmqExecutor, createWorker, UnknownNodeError } from '../../src/distributed/index.js';
import { redisForSuite } from './redisForSuite.js';
import { SKIP_REASON, type TestRedis } from './startRedis.js';

const COORDINATOR = fileURLToPath(new URL('./coordinatorProcess.ts', import.meta.url));

describe.skipIf(SKIP_REASON !== undefined)('the coordinator\'s node list binds workers only while it runs', () => {
  let redis: TestRedis;
  redisForSuite((started) => (redis = started), () => undefined);

  it('refuses a worker for another node while the coordinator runs, and accepts it once the coordinator has closed', async () => {
    const prefix = 'closed';
    const executor = bullmqExecutor({ connection: redis.url, nodes: ['n1', 'n2'], prefix, checkIntervalMs: 200 });
    await executor.ready();
    await expect(createWorker({ connection: redis.url, node: 'n3', prefix })).rejects.toThrow(UnknownNodeError);
    await executor.close();
    const worker = await createWorker({ connection: redis.url, node: 'n3', prefix });
    expect(worker.node).toBe('n3');
    await worker.close(0);
  });

  it('lets the node list of a coordinator killed with SIGKILL lapse, so a worker of the next workload starts', async () => {
    const prefix = 'killed';
    const child = spawn(process.execPath, ['--import', 'tsx', COORDINATOR, JSON.stringify({ connection: redis.url, nodes: ['n1', 'n2'], prefix, checkIntervalMs: 200 })], { stdio: ['ignore', 'pipe', 'inherit'] });
    await new Promise<void>((resolve, reject) => {
      child.stdout.setEncoding('utf8').on('data', (chunk: string) => chunk.includes('ready') && resolve());
      child.once('exit', (code) => reject(new Error(`coordinator exited with ${code}`)));
    });
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGKILL');
    await exited;
    // Right after the kill the list is still there (it lives 2 s past its last refresh)...
    await expect(createWorker({ connection: redis.url, node: 'n3', prefix })).rejects.toThrow(`node "n3" is not one of the coordinator's nodes (n1, n2)`);
    await new Promise((resolve) => setTimeout(resolve, 2200));
    // ...and then it binds nobody.
    const worker = await createWorker({ connection: redis.url, node: 'n3', prefix });
    expect(worker.node).toBe('n3');
    await worker.close(0);
  }, 20_000);

  it('warns a worker started while no coordinator ran when the next coordinator has no node of its name', async () => {
    const prefix = 'later';
    const warnings: string[] = [];
    const onWarning = (warning: Error): void => void warnings.push(warning.message);
    process.on('warning', onWarning);
    const worker = await createWorker({ connection: redis.url, node: 'n3', prefix, lockDurationMs: 300 });
    const executor = bullmqExecutor({ connection: redis.url, nodes: ['n1'], prefix, checkIntervalMs: 200 });
    try {
      await executor.ready();
      const until = Date.now() + 5000;
      while (warnings.length === 0 && Date.now() < until) await new Promise((resolve) => setTimeout(resolve, 50));
      expect(warnings).toEqual([`worker ${worker.id}: node "n3" is not one of the coordinator's nodes (n1); it takes no job until a coordinator with node "n3" runs`]);
    } finally {
      process.off('warning', onWarning);
      await executor.close();
      await worker.close(0);
    }
  });
});
