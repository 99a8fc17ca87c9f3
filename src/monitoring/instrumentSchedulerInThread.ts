import type { Worker } from 'node:worker_threads';
import { resolveModuleUrl } from '../executors/loadExport.js';
import { describeValue } from '../internal/describeValue.js';
import { startThread } from '../executors/threadEntry.js';
import type { Scheduler } from '../core/scheduler.js';
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
  /**
   * How long the setup module, a `flush()` or a `stop()` may take, in ms, before it is given up
   * (`stop()` then ends the thread anyway). @default 30000
   */
  readonly timeoutMs?: number;
  /**
   * How many task events the thread may fall behind the scheduler (a slow or blocking exporter)
   * before new events are dropped rather than queued, which keeps the memory they hold bounded;
   * they are written again once the thread is back to half as many. The end of an attempt whose
   * start went is never dropped (its span would stay open). `Infinity`: no bound.
   * @default 1000000
   */
  readonly maxBacklog?: number;
}

/** What {@link instrumentSchedulerInThread} resolves to. */
export interface ThreadInstrumentation {
  /** Task events not recorded in the thread yet (posted to it, or about to be). */
  readonly backlog: number;
  /** Task events dropped, not recorded, because the thread was `maxBacklog` events behind. */
  readonly dropped: number;
  /** Resolves once every task event so far is recorded and the providers have exported what they buffer. */
  flush(): Promise<void>;
  /**
   * Stops listening, records the events left, shuts the providers down and ends the thread (spans
   * of attempts still running are not ended). The same promise on every call.
   */
  stop(): Promise<void>;
}

const ORIGIN = 'instrumentSchedulerInThread';
const OPTIONS = ['setup', 'setupData', 'statsIntervalMs', 'timeoutMs', 'maxBacklog', 'traces', 'metrics', 'policy', 'node', 'now', 'linkLimit', 'waitSpans'];
/** The longest delay a Node timer takes (a longer one fires at once). */
const MAX_TIMER_MS = 2 ** 31 - 1;

function checkMs(value: unknown, field: string, min: number, fallback: number): number {
  const ms = value === undefined ? fallback : value;
  if (typeof ms !== 'number' || !Number.isFinite(ms) || ms < min || ms > MAX_TIMER_MS) {
    throw new MonitoringOptionsError(ORIGIN, field, `a number of ms from ${min} to ${MAX_TIMER_MS}`, describeValue(ms));
  }
  return ms;
}

function checkMaxBacklog(value: unknown): number {
  const max = value === undefined ? 1_000_000 : value;
  if (max !== Number.POSITIVE_INFINITY && (typeof max !== 'number' || !Number.isSafeInteger(max) || max < 1)) {
    throw new MonitoringOptionsError(ORIGIN, 'maxBacklog', 'a whole number of events >= 1, or Infinity', describeValue(max));
  }
  return max;
}

function checkThreadOptions(options: ThreadInstrumentOptions): { setup: string; statsIntervalMs: number; timeoutMs: number; maxBacklog: number } {
  if (typeof options !== 'object' || options === null) throw new MonitoringOptionsError(ORIGIN, 'options', 'an object with a setup module', describeValue(options));
  if ('tracerProvider' in options || 'meterProvider' in options) {
    const field = 'tracerProvider' in options ? 'tracerProvider' : 'meterProvider';
    throw new MonitoringOptionsError(ORIGIN, field, 'no provider: an SDK lives in one thread, so the setup module builds the providers in the telemetry thread', 'a provider of this thread');
  }
  const { setup } = options;
  const isPath = typeof setup === 'string' && setup !== '' && (setup.startsWith('file:') || !/^[a-z][a-z0-9+.-]+:/i.test(setup) || /^[a-z]:[\\/]/i.test(setup));
  if (!(setup instanceof URL && setup.protocol === 'file:') && !isPath) throw new MonitoringOptionsError(ORIGIN, 'setup', 'a module path or file: URL', describeValue(setup instanceof URL ? setup.href : setup));
  const statsIntervalMs = checkMs(options.statsIntervalMs, 'statsIntervalMs', 10, 1000);
  const timeoutMs = checkMs(options.timeoutMs, 'timeoutMs', 1, 30_000);
  const maxBacklog = checkMaxBacklog(options.maxBacklog);
  return { setup: setup instanceof URL ? setup.href : resolveModuleUrl(setup as string), statsIntervalMs, timeoutMs, maxBacklog };
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
  const { setup, statsIntervalMs, timeoutMs, maxBacklog } = checkThreadOptions(options);
  const resolved = resolveInstrumentOptions(ORIGIN, scheduler, options, OPTIONS);
  const { common, linkLimit, waitSpans, traces, metrics } = resolved;
  // Nothing to record: no thread, no listener.
  if (!traces && !metrics) return { backlog: 0, dropped: 0, flush: () => Promise.resolve(), stop: () => Promise.resolve() };
  const workerData: TelemetryThreadData = { setup, setupData: options.setupData, common, linkLimit, waitSpans, traces, metrics, stats: scheduler.getStats() };
  let worker: Worker;
  try {
    worker = startThread(import.meta.url, 'telemetryThreadEntry', { workerData });
  } catch (error) {
    // setupData that cannot be cloned (a function, a socket…).
    throw new MonitoringOptionsError(ORIGIN, 'setupData', 'a structured-cloneable value', `${describeValue(options.setupData)} (${(error as Error).message})`);
  }
  const thread = new TelemetryThread(worker, ORIGIN, timeoutMs);
  await thread.ready(setup);
  let hasWarned = false;
  const onBehind = (backlog: number): void => {
    if (hasWarned) return; // said once, the first time it fell behind
    hasWarned = true;
    process.emitWarning(`${ORIGIN}: the telemetry thread is ${backlog} task event${backlog === 1 ? '' : 's'} behind (maxBacklog ${maxBacklog}); new events are dropped until it is back to ${Math.floor(maxBacklog / 2)} (the instrumentation's \`dropped\` counts them)`);
  };
  const encoder = new TelemetryEncoder((message, transfer) => thread.post(message, transfer), () => scheduler.getStats(), { spans: traces, recorded: () => thread.recorded, maxBacklog, onBehind });
  const unlisten = listenToTasks(scheduler, [encoder], resolved.now);
  const postStats = (): void => thread.post({ type: 'stats', stats: scheduler.getStats() });
  const statsTimer = setInterval(postStats, statsIntervalMs).unref();
  thread.onFailure = () => {
    unlisten();
    clearInterval(statsTimer);
  };
  let stopping: Promise<void> | undefined;
  return {
    get backlog() {
      return encoder.backlog;
    },
    get dropped() {
      return encoder.dropped;
    },
    flush() {
      encoder.postNow();
      // The gauges as they are now, even if no event went since the last batch.
      postStats();
      return thread.request('flush');
    },
    stop: () =>
      (stopping ??= (async () => {
        unlisten();
        clearInterval(statsTimer);
        encoder.postNow();
        postStats();
        try {
          await thread.request('stop');
        } finally {
          await thread.end();
        }
      })()),
  };
}
