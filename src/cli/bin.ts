#!/usr/bin/env node
import { processIo } from './CliIo.js';
import { main } from './main.js';

// A command may await work whose only timers are unref'd (a scheduler's stop grace, a task that
// never settles): without a handle of its own, Node would end the process mid-await with exit
// code 13 before the summary is written. Every wait in a command is bounded, so this ends.
// A reader that goes away (`xeno-scheduler run --help | head`) is not an error of ours: stop
// writing, as other command-line tools do, instead of dying with an unhandled EPIPE.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw error;
  });
}
const keepAlive = setInterval(() => {}, 1 << 30);
const exitCode = await main(process.argv, processIo);
clearInterval(keepAlive);
// Exit once what was written has been handed to the OS, even if some handle would linger.
await Promise.all([process.stdout, process.stderr].map((stream) => new Promise((resolve) => stream.write('', resolve))));
process.exit(exitCode);
