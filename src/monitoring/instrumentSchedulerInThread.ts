import type { Worker } from 'node:worker_threads';
import { resolveModuleUrl } from '../executors/loadExport.js';
import { describeValue } from '../internal/describeValue.js';
import { startThread } from '../executors/threadEntry.js';
import type { Scheduler } from '../scheduler.js';
import type { InstrumentOptions } from './instrumentScheduler.js';
import { listenToTasks } from './listenToTasks.js';
import { MonitoringOptionsError } from './MonitoringOptionsError.js';
import { resolveInstrumentOptions } from './resolveInstrumentOptions.js';
import { TelemetryEncoder } from './TelemetryEncoder.js';
import type { TelemetryThreadData } from './TelemetryMessages.js';
import { TelemetryThread } from './TelemetryThread.js';

/** Options of {@link instrumentSchedulerInThread}. */
export interface ThreadInstrumentOptions extends Omit<InstrumentOptions, 'tracerProvider' | 'meterProvider'> {
  /**
   * The module that sets up OpenTelemetry in the telemetry thread: a path (from the current
   * directory) or a `file:` URL. Its default export is called there with `setupData` and returns
   * (or resolves to) a {@link TelemetrySetup}: the providers to record on.
   */
  readonly setup: string | URL;
  /** Handed to the setup module's default export; structured-cloneable (no functions). @default undefined */
  readonly setupData?: unknown;
  /** How often the scheduler's stats (for the gauges) reach the thread while no task event does, in ms. @default 1000 */
  readonly statsIntervalMs?: number;
}

/** What {@link instrumentSchedulerInThread} resolves to. */
export interface ThreadInstrumentation {
  /** Task events posted to the thread and not recorded there yet. */
  readonly backlog: number;
  /** Resolves once every task event so far is recorded and the providers have exported what they buffer. */
  flush(): Promise<void>;
  /**
   * Stops listening, records the events left, shuts the providers down and ends the thread (spans
   * of attempts still running are not ended). The same promise on every call.
   */
  stop(): Promise<void>;
}

const ORIGIN = 'instrumentSchedulerInThread';

function checkThreadOptions(options: ThreadInstrumentOptions): { setup: string; statsIntervalMs: number } {
  if (typeof options !== 'object' || options === null) throw new MonitoringOptionsError(ORIGIN, 'options', 'an object with a setup module', describeValue(options));
  const { setup } = options;
  if (!(setup instanceof URL) && (typeof setup !== 'string' || setup === '')) throw new MonitoringOptionsError(ORIGIN, 'setup', 'a module path or file URL', describeValue(setup));
  const statsIntervalMs = options.statsIntervalMs ?? 1000;
  if (typeof statsIntervalMs !== 'number' || !Number.isFinite(statsIntervalMs) || statsIntervalMs < 10) {
    throw new MonitoringOptionsError(ORIGIN, 'statsIntervalMs', 'a number of ms >= 10', describeValue(statsIntervalMs));
  }
  return { setup: setup instanceof URL ? setup.href : resolveModuleUrl(setup), statsIntervalMs };
}

/**
 * {@link instrumentScheduler} with the spans and metrics made in a worker thread of their own:
 * the scheduler's thread only copies each task event into a batch (no SDK work, no span, no
 * histogram point), so a busy scheduler keeps nearly all of its throughput while another core
 * does the telemetry. The thread loads `setup`, the app's module that builds the OpenTelemetry
 * SDK there (an SDK lives in one thread), and records the same spans, links and metrics, with the
 * same names and attributes, as instrumentScheduler does. Parent spans cross over as span
 * contexts; gauges read the scheduler's stats as last posted (with each batch, and every
 * `statsIntervalMs`).
 *
 * The thread does not keep the process alive: call `stop()` (or `flush()`) before the process
 * ends, or what is still in the thread is lost.
 *
 * @throws MonitoringOptionsError (rejected) for a bad option, or a setup module that cannot be loaded, throws or returns no object
 * @example
 * import { instrumentSchedulerInThread } from 'xeno-scheduler/monitoring';
 * const telemetry = await instrumentSchedulerInThread(scheduler, { setup: './telemetry.js', setupData: { url: 'http://collector:4318' }, policy: 'fifo' });
 * // … run …
 * await telemetry.stop();
 */
export async function instrumentSchedulerInThread(scheduler: Scheduler, options: ThreadInstrumentOptions): Promise<ThreadInstrumentation> {
  const { setup, statsIntervalMs } = checkThreadOptions(options);
  const resolved = resolveInstrumentOptions(ORIGIN, scheduler, options);
  const { common, linkLimit, waitSpans, traces, metrics } = resolved;
  const workerData: TelemetryThreadData = { setup, setupData: options.setupData, common, linkLimit, waitSpans, traces, metrics, stats: scheduler.getStats() };
  let worker: Worker;
  try {
    worker = startThread(import.meta.url, 'telemetryThreadEntry', { workerData });
  } catch (error) {
    // setupData that cannot be cloned (a function, a socket…).
    throw new MonitoringOptionsError(ORIGIN, 'setupData', 'a structured-cloneable value', `${describeValue(options.setupData)} (${(error as Error).message})`);
  }
  const thread = new TelemetryThread(worker, ORIGIN);
  await thread.ready(setup);
  const encoder = new TelemetryEncoder((message, transfer) => thread.post(message, transfer), () => scheduler.getStats());
  const unlisten = resolved.traces || resolved.metrics ? listenToTasks(scheduler, [encoder], resolved.now) : () => {};
  const statsTimer = setInterval(() => thread.post({ type: 'stats', stats: scheduler.getStats() }), statsIntervalMs).unref();
  thread.onFailure = () => {
    unlisten();
    clearInterval(statsTimer);
  };
  let stopping: Promise<void> | undefined;
  return {
    get backlog() {
      return encoder.posted - thread.recorded;
    },
    flush() {
      encoder.postNow();
      return thread.request('flush');
    },
    stop: () =>
      (stopping ??= (async () => {
        unlisten();
        clearInterval(statsTimer);
        encoder.postNow();
        try {
          await thread.request('stop');
        } finally {
          await thread.end();
        }
      })()),
  };
}
