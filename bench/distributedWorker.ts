// A worker process for bench/distributed.bench.ts: `node --import tsx distributedWorker.ts <json>`.
// mode "xeno": createWorker with the bench handlers; mode "raw": a bare BullMQ worker, no-op jobs.
import { Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { createWorker } from '../src/executors/bullmq/index.js';
import { busyLoop } from './workerPool.bench.js';

const { mode, url, node, concurrency, prefix } = JSON.parse(process.argv[2] as string) as { mode: 'xeno' | 'raw'; url: string; node: string; concurrency: number; prefix: string };
if (mode === 'raw') {
  const worker = new Worker(node, async () => null, { connection: new Redis(url, { maxRetriesPerRequest: null }), prefix, concurrency });
  await worker.waitUntilReady();
} else {
  await createWorker({ connection: url, node, concurrency, prefix, handlers: { busy: busyLoop, noop: () => null } });
}
process.stdout.write('ready\n');
