// A speculating coordinator for test/distributed/backupAfterRestart.test.ts, to be SIGKILLed:
// `node --import tsx speculatingCoordinator.ts <json SpeculatingRunOptions>`.
import { openSpeculatingRun, type SpeculatingRunOptions } from './speculatingRun.js';

const options = JSON.parse(process.argv[2] as string) as SpeculatingRunOptions;
const { scheduler } = await openSpeculatingRun(options);
process.stdout.write('scheduled\n');
await scheduler.onIdle();
