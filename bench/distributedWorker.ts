// A worker process for bench/distributed.bench.ts: `node --import tsx distributedWorker.ts <json>`.
// mode "xeno": createWorker with the bench handlers; mode "raw": a bare BullMQ worker, no-op jobs;
// mode "bare": no Redis at all, runs `busyLoop` `count` times when a line `<count> <iterations>`
// arrives on stdin and answers `done` (the machine's own ceiling for CPU-bound work).
import { createInterface } from 'node:readline';
import { Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { createWorker } from '../src/distributed/index.js';
import { busyLoop } from './workerPool.bench.js';

const { mode, url, node, concurrency, prefix } = JSON.parse(process.argv[2] as string) as { mode: 'xeno' | 'raw' | 'bare'; url: string; node: string; concurrency: number; prefix: string };
if (mode === 'raw') {
  const worker = new Worker(node, async () => null, { connection: new Redis(url, { maxRetriesPerRequest: null }), prefix, concurrency });
  await worker.waitUntilReady();
} else if (mode === 'bare') {
  createInterface({ input: process.stdin }).on('line', (line) => {
    const [count, iterations] = line.split(' ').map(Number) as [number, number];
    for (let i = 0; i < count; i++) busyLoop({ config: { iterations } });
    process.stdout.write('done\n');
  });
} else {
  await createWorker({ connection: url, node, concurrency, prefix, handlers: { busy: busyLoop, noop: () => null } });
}
process.stdout.write('ready\n');
