// Imports the module given as argv[2] (a path or a package specifier) and prints, as JSON, every
// module URL resolved while loading it. Run with `node --import tsx` to load TypeScript sources;
// our hooks are registered after tsx's, so they see tsx's final URLs.
import { register } from 'node:module';
import { pathToFileURL } from 'node:url';
import { MessageChannel } from 'node:worker_threads';

const { port1, port2 } = new MessageChannel();
const urls = new Set();
const flushed = new Promise((resolve) => {
  port1.on('message', (message) => {
    if (typeof message === 'string') urls.add(message);
    else resolve();
  });
});
register(new URL('./recordResolved.mjs', import.meta.url), { data: { port: port2 }, transferList: [port2] });

const target = process.argv[2];
await import(target.startsWith('.') || target.startsWith('/') ? pathToFileURL(target).href : target);
// The channel keeps order: once 'flush' is answered, every URL resolved before it has arrived.
port1.postMessage('flush');
await flushed;
port1.close();
process.stdout.write(JSON.stringify([...urls]));
