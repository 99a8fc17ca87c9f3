#!/usr/bin/env node
import { processIo } from './CliIo.js';
import { main } from './main.js';

const exitCode = await main(process.argv, processIo);
// Exit once what was written has been handed to the OS, even if some handle would linger.
await Promise.all([process.stdout, process.stderr].map((stream) => new Promise((resolve) => stream.write('', resolve))));
process.exit(exitCode);
