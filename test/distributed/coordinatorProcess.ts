// A coordinator process for the distributed tests: `node --import tsx coordinatorProcess.ts <json options>`.
// It opens a BullMQ executor with the given options, prints `ready`, and runs until it is killed.
import { bullmqExecutor, type DistributedOptions } from '../../src/distributed/index.js';

const executor = bullmqExecutor(JSON.parse(process.argv[2] as string) as DistributedOptions);
await executor.ready();
process.stdout.write('ready\n');
