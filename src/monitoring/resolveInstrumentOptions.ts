import type { MeterProvider, TracerProvider } from '@opentelemetry/api';
import { describeValue } from '../internal/describeValue.js';
import type { Scheduler } from '../core/scheduler.js';
import { closestMatch } from '../internal/didYouMean.js';
import { AttributeNames } from './AttributeNames.js';
import { MonitoringOptionsError } from './MonitoringOptionsError.js';


/** Options of {@link instrumentScheduler}. */
export interface InstrumentOptions {
  /** Where spans go. @default the global provider (`trace.getTracerProvider()`), a no-op until the app registers one */
  readonly tracerProvider?: TracerProvider;
  /** Where metrics go. @default the global provider (`metrics.getMeterProvider()`), a no-op until the app registers one */
  readonly meterProvider?: MeterProvider;
  /** Emit spans. @default true */
  readonly traces?: boolean;
  /** Emit metrics. @default true */
  readonly metrics?: boolean;
  /** The scheduler's policy name, attribute `scheduler.policy` on every span and metric. @default none */
  readonly policy?: string;
  /** The node this scheduler (or its worker) runs on, attribute `scheduler.node`. @default none */
  readonly node?: string;
  /**
   * The scheduler's clock in ms, for the moments task records do not carry (an attempt that fails
   * and is retried). Pass the clock given to `createScheduler` when it is not the real one.
   * @default Date.now
   */
  readonly now?: () => number;
  /**
   * Finished tasks that no scheduled task waits for whose last span is still kept, so that a
   * dependent scheduled after its dependency finished can link to it. A dependent scheduled
   * before is always linked, whatever this limit. @default 10000
   */
  readonly linkLimit?: number;
  /**
   * Emit each wait as a span `wait <type>` of its own, besides the `wait` event that starts every
   * run span. A task that ends without running always gets one. @default false
   */
  readonly waitSpans?: boolean;
}

/** {@link InstrumentOptions} checked, with their defaults, as the recorders take them. */
export interface ResolvedInstrumentOptions {
  /** Attributes on every span and point (policy, node): a frozen plain object. */
  readonly common: Readonly<Record<string, string>>;
  readonly now: () => number;
  readonly linkLimit: number;
  readonly waitSpans: boolean;
  readonly traces: boolean;
  readonly metrics: boolean;
}

function optionalString(origin: string, value: unknown, field: string): string | undefined {
  if (value === undefined || (typeof value === 'string' && value !== '')) return value;
  throw new MonitoringOptionsError(origin, field, 'a non-empty string', describeValue(value));
}

function optionalBoolean(origin: string, value: unknown, field: string): boolean | undefined {
  if (value === undefined || typeof value === 'boolean') return value;
  throw new MonitoringOptionsError(origin, field, 'true or false', describeValue(value));
}

/**
 * Checks a scheduler and the options of {@link instrumentScheduler} (and of the callers built on
 * it, such as `serveMetrics`), naming the field at fault. `known` lists the options the
 * caller takes: any other is refused (a misspelt one with the closest known name).
 *
 * @throws MonitoringOptionsError for something that is not a scheduler, an unknown option, a bad `linkLimit`, `now`, `policy`, `node`, `traces`, `metrics` or `waitSpans`
 * @example
 * resolveInstrumentOptions('instrumentScheduler', scheduler, { policy: 'fifo' }, ['policy']).common; // { 'scheduler.policy': 'fifo' }
 */
export function resolveInstrumentOptions(
  origin: string,
  scheduler: Scheduler,
  options: Omit<InstrumentOptions, 'tracerProvider' | 'meterProvider'>,
  known: readonly string[],
): ResolvedInstrumentOptions {
  if (typeof scheduler !== 'object' || scheduler === null || typeof scheduler.events?.on !== 'function' || typeof scheduler.getStats !== 'function') {
    throw new MonitoringOptionsError(origin, 'scheduler', 'a Scheduler from createScheduler', describeValue(scheduler));
  }
  if (typeof options !== 'object' || options === null) throw new MonitoringOptionsError(origin, 'options', 'an object', describeValue(options));
  for (const key of Object.keys(options)) {
    if (known.includes(key)) continue;
    const near = closestMatch(key, known);
    throw new MonitoringOptionsError(origin, key, `one of the options ${known.join(', ')}${near === undefined ? '' : ` (did you mean ${near}?)`}`, 'an unknown option');
  }
  const linkLimit = options.linkLimit ?? 10_000;
  if (!Number.isSafeInteger(linkLimit) || linkLimit < 0) throw new MonitoringOptionsError(origin, 'linkLimit', 'a whole number >= 0', describeValue(linkLimit));
  if (options.now !== undefined && typeof options.now !== 'function') throw new MonitoringOptionsError(origin, 'now', 'a function returning ms', describeValue(options.now));
  const policy = optionalString(origin, options.policy, 'policy');
  const node = optionalString(origin, options.node, 'node');
  // A plain object filled key by key and frozen: it is shared by every point and span.
  const common: Record<string, string> = {};
  if (policy !== undefined) common[AttributeNames.policy] = policy;
  if (node !== undefined) common[AttributeNames.node] = node;
  return {
    common: Object.freeze(common),
    now: options.now ?? Date.now,
    linkLimit,
    waitSpans: optionalBoolean(origin, options.waitSpans, 'waitSpans') ?? false,
    traces: optionalBoolean(origin, options.traces, 'traces') ?? true,
    metrics: optionalBoolean(origin, options.metrics, 'metrics') ?? true,
  };
}
