import { loadavg } from 'node:os';
import { createScheduler } from '../src/core/createScheduler.js';
import { instrumentScheduler } from '../src/monitoring/instrumentScheduler.js';
import setupTelemetry from './telemetrySetup.js';
import { formatTable } from '../src/simulate/formatTable.js';
import { median } from './median.js';

/** No-op tasks per round. */
const taskCount = 30_000;
/** Workers of the scheduler. */
const maxWorkers = 4;
/** Timed rounds; each runs every mode, in rotating order (after one untimed warm-up of each). */
const repetitions = 7;
/** The sampling ratio of the sampled mode. */
const SAMPLED_RATIO = 0.1;

type Mode = 'off' | 'api only' | 'sdk, always on' | 'sdk, 10% sampled';
const MODES: readonly Mode[] = ['off', 'api only', 'sdk, always on', 'sdk, 10% sampled'];

/** One round of one mode: µs of the process's CPU time per task, and the spans exported. */
interface Round {
  readonly cpuUsPerTask: number;
  readonly spans: number;
}

/** What {@link run} measured, per mode: each round's CPU per task and their median. */
export interface MonitoringBenchResult {
  readonly rounds: Readonly<Record<Mode, readonly number[]>>;
  /** Median µs of CPU per task. */
  readonly medians: Readonly<Record<Mode, number>>;
  /** Median of a mode's CPU per task over off's, of the rounds run side by side (1.30 = 30% more CPU a task). */
  readonly ratios: Readonly<Record<Mode, number>>;
  /** The 1-minute load average before the first round and after the last. */
  readonly load: readonly [number, number];
}

/** Runs `taskCount` no-op tasks instrumented as `mode` says; returns the process's CPU per task. */
async function round(mode: Mode): Promise<Round> {
  const scheduler = createScheduler({ maxWorkers, defaultRetry: { attempts: 1 }, maxFinishedRecords: taskCount });
  const sdk = mode === 'sdk, always on' ? setupTelemetry(1) : mode === 'sdk, 10% sampled' ? setupTelemetry(SAMPLED_RATIO) : undefined;
  // 'api only': instrumented, but no SDK registered anywhere: the API's no-op tracer and meter.
  const instrumentation = mode === 'off' ? undefined : instrumentScheduler(scheduler, { policy: 'priority', ...(sdk === undefined ? {} : { tracerProvider: sdk.tracerProvider, meterProvider: sdk.meterProvider }) });
  const specs = Array.from({ length: taskCount }, (_, index) => ({ id: `t${index}`, dependencies: index % 10 === 0 ? [] : [`t${index - (index % 10)}`], run: () => undefined }));
  // The garbage of the round before (another mode's) is not this round's to collect.
  globalThis.gc?.();
  const before = process.cpuUsage();
  scheduler.scheduleTasks(specs);
  await scheduler.onIdle();
  // Spans still buffered are the run's work too: export them before the clock stops.
  await sdk?.tracerProvider.forceFlush();
  const cpu = process.cpuUsage(before);
  instrumentation?.stop();
  await sdk?.tracerProvider.shutdown();
  await sdk?.meterProvider.shutdown();
  await scheduler.stop();
  return { cpuUsPerTask: (cpu.user + cpu.system) / taskCount, spans: sdk?.exporter.spans ?? 0 };
}

/**
 * Measures what monitoring costs in CPU per task: {@link taskCount} no-op tasks on
 * {@link maxWorkers} workers (nine in ten with one dependency, so spans carry links) without
 * instrumentation ("off"), with `instrumentScheduler` and no SDK registered ("api only": what an
 * app that never registers one pays), and with the real SDK set up as an app would, recording
 * every span ("sdk, always on": `AlwaysOnSampler`, the SDK's default) and one root span in ten
 * ("sdk, 10% sampled": `ParentBasedSampler` around `TraceIdRatioBasedSampler(0.1)`). The SDK is a
 * `BasicTracerProvider` with a `BatchSpanProcessor` of default settings whose exporter drops each
 * batch (ids, attributes, links, events and batching are measured; an OTLP exporter's
 * serialization and network are not), and a `MeterProvider` with a reader not collected during a
 * round. Metrics are not sampled: every mode with the SDK records every point. A round ends when
 * the scheduler is idle and the buffered spans are exported; its cost is the process's CPU time
 * (user + system, every thread: GC helpers included) over the tasks. Every mode runs once per
 * repetition, in rotating order, in this one process. Prints a table and returns the numbers.
 *
 * @example
 * const { medians, ratios } = await run(); // e.g. medians['sdk, always on'] - medians.off: µs of CPU the SDK adds a task
 */
export async function run(): Promise<MonitoringBenchResult> {
  const loadBefore = loadavg()[0] ?? Number.NaN;
  for (const mode of MODES) await round(mode);
  const rounds: Record<Mode, number[]> = { off: [], 'api only': [], 'sdk, always on': [], 'sdk, 10% sampled': [] };
  const spans: Record<Mode, number[]> = { off: [], 'api only': [], 'sdk, always on': [], 'sdk, 10% sampled': [] };
  for (let repetition = 0; repetition < repetitions; repetition += 1) {
    const order = MODES.map((_, index) => MODES[(index + repetition) % MODES.length] as Mode);
    for (const mode of order) {
      const result = await round(mode);
      rounds[mode].push(result.cpuUsPerTask);
      spans[mode].push(result.spans);
    }
  }
  const medians = Object.fromEntries(MODES.map((mode) => [mode, median(rounds[mode])])) as Record<Mode, number>;
  // Each mode against off of the same repetition (they ran seconds apart), then the median.
  const paired = (mode: Mode): number[] => rounds[mode].map((value, index) => value / (rounds.off[index] as number));
  const ratios = Object.fromEntries(MODES.map((mode) => [mode, median(paired(mode))])) as Record<Mode, number>;
  const load: [number, number] = [loadBefore, loadavg()[0] ?? Number.NaN];
  console.log(`monitoring: ${taskCount} no-op tasks, ${maxWorkers} workers, medians of ${repetitions} rotating rounds; load ${load[0].toFixed(2)} before, ${load[1].toFixed(2)} after`);
  console.log(
    formatTable(
      MODES.map((mode) => ({
        mode,
        'CPU µs/task': medians[mode],
        'added µs/task': medians[mode] - medians.off,
        'of off': ratios[mode],
        'of off, rounds': `${Math.min(...paired(mode)).toFixed(2)}-${Math.max(...paired(mode)).toFixed(2)}`,
        'spans/round': median(spans[mode]),
        'rounds µs/task': rounds[mode].map((value) => value.toFixed(1)).join(' '),
      })),
      2,
    ),
  );
  return { rounds, medians, ratios, load };
}
