// The entry module of a telemetry thread (instrumentSchedulerInThread): loads the app's setup module,
// records the batches of task events it is posted on the providers it returned, and flushes and
// shuts them down when asked.
import { metrics, trace } from '@opentelemetry/api';
import { parentPort, workerData } from 'node:worker_threads';
import { loadExport } from '../executors/loadExport.js';
import { serializeError } from '../executors/serializeError.js';
import type { SchedulerStats } from '../types.js';
import { createRecorders } from './createRecorders.js';
import { TelemetryDecoder } from './TelemetryDecoder.js';
import type { FromTelemetry, TelemetryThreadData, ToTelemetry } from './TelemetryMessages.js';
import type { TelemetrySetup, TelemetrySetupFunction } from './TelemetrySetup.js';

const port = parentPort;
if (port === null) throw new Error('telemetryThread runs as a worker thread of instrumentSchedulerInThread');
const data = workerData as TelemetryThreadData;
const reply = (message: FromTelemetry): void => port.postMessage(message);

/** A global provider is a proxy: the SDK's own methods are on its delegate. */
function sdkOf(provider: object): { forceFlush?: () => Promise<void>; shutdown?: () => Promise<void> } {
  const delegate = (provider as { getDelegate?: () => object }).getDelegate?.();
  return (delegate ?? provider) as { forceFlush?: () => Promise<void>; shutdown?: () => Promise<void> };
}

async function loadSetup(): Promise<TelemetrySetup> {
  const setup = await loadExport(data.setup, 'default');
  const result = (await (setup as unknown as TelemetrySetupFunction)(data.setupData)) as unknown;
  if (typeof result !== 'object' || result === null) throw new TypeError(`the default export returned ${result === null ? 'null' : typeof result}, not an object with tracerProvider, meterProvider, forceFlush or shutdown`);
  return result as TelemetrySetup;
}

let setup: TelemetrySetup;
try {
  setup = await loadSetup();
} catch (error) {
  reply({ type: 'setup-failed', error: serializeError(error) });
  port.close();
  process.exit(0);
}

const tracerProvider = setup.tracerProvider ?? trace.getTracerProvider();
const meterProvider = setup.meterProvider ?? metrics.getMeterProvider();
let stats: SchedulerStats = data.stats;
const recorders = createRecorders({ ...data, now: Date.now }, tracerProvider, meterProvider, () => stats);
const decoder = new TelemetryDecoder(recorders);
const providers = [data.traces ? sdkOf(tracerProvider) : undefined, data.metrics ? sdkOf(meterProvider) : undefined].filter((sdk) => sdk !== undefined);
const forceFlush = (): Promise<unknown> => setup.forceFlush?.() ?? Promise.all(providers.map((sdk) => sdk.forceFlush?.()));
const shutdown = (): Promise<unknown> => setup.shutdown?.() ?? Promise.all(providers.map((sdk) => sdk.shutdown?.()));

/** Runs `work` and answers `type` for request `id`, with the error if it failed. */
async function answer(type: 'flushed' | 'stopped', id: number, work: () => Promise<unknown>): Promise<void> {
  try {
    await work();
    reply({ type, id });
  } catch (error) {
    reply({ type, id, error: serializeError(error) });
  }
}

port.on('message', (message: ToTelemetry) => {
  switch (message.type) {
    case 'events':
      stats = message.stats;
      decoder.apply(message.buffer);
      reply({ type: 'recorded', events: message.events });
      return;
    case 'stats':
      stats = message.stats;
      return;
    case 'flush':
      void answer('flushed', message.id, forceFlush);
      return;
    case 'stop':
      for (const recorder of recorders) recorder.stop?.();
      void answer('stopped', message.id, shutdown);
      return;
  }
});
reply({ type: 'ready' });
