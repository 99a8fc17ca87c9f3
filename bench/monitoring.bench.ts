import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { createScheduler } from '../src/core/createScheduler.js';
import { instrumentScheduler } from '../src/monitoring/instrumentScheduler.js';
import { instrumentSchedulerInThread } from '../src/monitoring/instrumentSchedulerInThread.js';
import setupTelemetry from './telemetrySetup.js';
import { formatTable } from '../src/simulate/formatTable.js';
import { mainThreadCpuMs } from './mainThreadCpu.js';
import { median } from './median.js';

/**
 * No-op tasks per round. A telemetry thread is started for each round, and a new thread spends
 * its first fraction of a second compiling the SDK's code and its own (about 0.2 s of CPU on V8's
 * helper threads, measured here): at 20,000 tasks a round that start-up was a fifth of the thread
 * mode's cost, where an app's thread pays it once for as long as the app runs. Rounds this long
 * measure the thread as it runs most of its life.
 */
const taskCount = 100_000;
/** Workers of the scheduler. */
const maxWorkers = 4;
/** Timed rounds; each runs every mode, in rotating order. */
const repetitions = 5;

type Mode = 'off' | 'api only' | 'on' | 'on, thread';
const MODES: readonly Mode[] = ['off', 'api only', 'on', 'on, thread'];
const SETUP = fileURLToPath(new URL('./telemetrySetup.ts', import.meta.url));

/**
 * Tasks per second of one mode: by the wall clock, by the process's CPU time (all its threads, GC
 * and a telemetry thread included), and by the main thread's CPU time (NaN where it cannot be read).
 */
interface Throughput {
  readonly wall: number;
  readonly cpu: number;
  readonly mainCpu: number;
}

/** What {@link run} measured: throughput of each round per mode, their medians and the ratios. */
export interface MonitoringBenchResult {
  readonly rounds: Readonly<Record<Mode, readonly Throughput[]>>;
  readonly medians: Readonly<Record<Mode, Throughput>>;
  /** median(on) / median(off) by the wall clock: the share of throughput kept with traces and metrics on, in the scheduler's thread. */
  readonly ratio: number;
  /**
   * The same by CPU time: on a shared machine other processes stretch a round's wall time but
   * hardly its CPU time, so this one moves less from run to run.
   */
  readonly cpuRatio: number;
  /** median(on, thread) / median(off) by the wall clock: the same with the telemetry in its own thread (target ≥ 0.90). */
  readonly threadRatio: number;
  /** The same by CPU time, of both threads: what the telemetry costs in all. */
  readonly threadCpuRatio: number;
  /** The same by the main thread's CPU time: what the scheduler's thread keeps where a core is free for the telemetry thread. */
  readonly threadMainCpuRatio: number;
}

/** Runs `taskCount` no-op tasks and returns tasks per second, instrumented as `mode` says. */
async function round(mode: Mode): Promise<Throughput> {
  const scheduler = createScheduler({ maxWorkers, defaultRetry: { attempts: 1 }, maxFinishedRecords: taskCount });
  const { tracerProvider, meterProvider } = setupTelemetry();
  // 'api only': instrumented, but no SDK registered anywhere: the API's no-op tracer and meter.
  const instrumentation =
    mode === 'on' ? instrumentScheduler(scheduler, { tracerProvider, meterProvider, policy: 'priority' }) : mode === 'api only' ? instrumentScheduler(scheduler, { policy: 'priority' }) : undefined;
  // 'on, thread': the same SDK, set up by the same module in a telemetry thread, started before the clock.
  const telemetry = mode === 'on, thread' ? await instrumentSchedulerInThread(scheduler, { setup: SETUP, policy: 'priority' }) : undefined;
  const specs = Array.from({ length: taskCount }, (_, index) => ({ id: `t${index}`, dependencies: index % 10 === 0 ? [] : [`t${index - (index % 10)}`], run: () => undefined }));
  // The garbage of the round before (another mode's) is not this round's to collect.
  globalThis.gc?.();
  const cpuBefore = process.cpuUsage();
  const mainBefore = mainThreadCpuMs();
  const startedAt = performance.now();
  scheduler.scheduleTasks(specs);
  await scheduler.onIdle();
  // Spans still buffered are the run's work too: export them before the clock stops (in the
  // telemetry thread, once every event is recorded there).
  await (telemetry === undefined ? tracerProvider.forceFlush() : telemetry.flush());
  const seconds = (performance.now() - startedAt) / 1000;
  const cpu = process.cpuUsage(cpuBefore);
  const mainAfter = mainThreadCpuMs();
  instrumentation?.stop();
  await telemetry?.stop();
  await tracerProvider.shutdown();
  await meterProvider.shutdown();
  await scheduler.stop();
  const mainCpu = mainBefore === undefined || mainAfter === undefined ? Number.NaN : taskCount / ((mainAfter - mainBefore) / 1000);
  return { wall: taskCount / seconds, cpu: taskCount / ((cpu.user + cpu.system) / 1e6), mainCpu };
}

const medianOf = (rounds: readonly Throughput[]): Throughput => ({ wall: median(rounds.map((r) => r.wall)), cpu: median(rounds.map((r) => r.cpu)), mainCpu: median(rounds.map((r) => r.mainCpu)) });

/**
 * Measures what monitoring costs: throughput of {@link taskCount} no-op tasks on
 * {@link maxWorkers} workers (nine in ten with one dependency, so spans carry links) without
 * instrumentation, instrumented with only the API (no SDK: what an app that never registers one
 * pays), and instrumented with the real SDK as an app sets it up: a BasicTracerProvider with its
 * default sampler (every span recorded) and a BatchSpanProcessor with its default settings, whose
 * exporter takes each batch and drops it (so the SDK's own work is all there: ids, attributes,
 * links, events, batching; an OTLP exporter's serialization and network are not), and a
 * MeterProvider with a reader, not collected during a round (a Prometheus scrape every 15 s would
 * come at most once), once in the scheduler's thread (`instrumentScheduler`) and once in a
 * telemetry thread (`instrumentSchedulerInThread`, the same SDK built by the same module there).
 * No context manager is registered. Each round ends when the scheduler is idle and the buffered
 * spans are exported (with a telemetry thread: once it has recorded every event and exported);
 * CPU time is the process's, every thread's. Every mode runs once per repetition, in rotating
 * order, in this one process. Prints a table and returns the numbers.
 *
 * @example
 * const { ratio, threadRatio } = await run(); // e.g. 0.73 and 0.87: the share of throughput kept
 */
export async function run(): Promise<MonitoringBenchResult> {
  for (const mode of MODES) await round(mode);
  const rounds: Record<Mode, Throughput[]> = { off: [], 'api only': [], on: [], 'on, thread': [] };
  for (let repetition = 0; repetition < repetitions; repetition += 1) {
    const order = MODES.map((_, index) => MODES[(index + repetition) % MODES.length] as Mode);
    for (const mode of order) rounds[mode].push(await round(mode));
  }
  const medians = { off: medianOf(rounds.off), 'api only': medianOf(rounds['api only']), on: medianOf(rounds.on), 'on, thread': medianOf(rounds['on, thread']) };
  const result = {
    rounds,
    medians,
    ratio: medians.on.wall / medians.off.wall,
    cpuRatio: medians.on.cpu / medians.off.cpu,
    threadRatio: medians['on, thread'].wall / medians.off.wall,
    threadCpuRatio: medians['on, thread'].cpu / medians.off.cpu,
    threadMainCpuRatio: medians['on, thread'].mainCpu / medians.off.mainCpu,
  };
  console.log(`monitoring: ${taskCount} no-op tasks, ${maxWorkers} workers, median of ${repetitions} rotating rounds`);
  console.log(
    formatTable(
      MODES.map((mode) => ({
        mode,
        'median tasks/s': medians[mode].wall,
        'of off': medians[mode].wall / medians.off.wall,
        'median tasks/CPU-s': medians[mode].cpu,
        'of off (CPU)': medians[mode].cpu / medians.off.cpu,
        'of off (main thread CPU)': medians[mode].mainCpu / medians.off.mainCpu,
        'rounds tasks/s': rounds[mode].map((value) => value.wall.toFixed(0)).join(' '),
      })),
      2,
    ),
  );
  // The spread: a mode / off within each repetition (the two ran a few seconds apart).
  const spread = (mode: Mode, key: keyof Throughput): string => {
    const paired = rounds[mode].map((value, index) => value[key] / (rounds.off[index] as Throughput)[key]);
    return `${Math.min(...paired).toFixed(2)}-${Math.max(...paired).toFixed(2)}`;
  };
  console.log(
    `ratio (traces + metrics on / off): in the scheduler's thread ${result.ratio.toFixed(2)} by the wall clock (rounds ${spread('on', 'wall')}), ` +
      `${result.cpuRatio.toFixed(2)} by CPU time (rounds ${spread('on', 'cpu')}); ` +
      `in a telemetry thread ${result.threadRatio.toFixed(2)} by the wall clock (rounds ${spread('on, thread', 'wall')}; target ≥ 0.90), ` +
      `${result.threadCpuRatio.toFixed(2)} by CPU time of every thread (rounds ${spread('on, thread', 'cpu')}), ` +
      `${result.threadMainCpuRatio.toFixed(2)} by the main thread's CPU time (rounds ${spread('on, thread', 'mainCpu')})`,
  );
  return result;
}
