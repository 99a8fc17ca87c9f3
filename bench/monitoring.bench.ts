import { performance } from 'node:perf_hooks';
import { MeterProvider, MetricReader } from '@opentelemetry/sdk-metrics';
import { BasicTracerProvider, BatchSpanProcessor, type ReadableSpan, type SpanExporter } from '@opentelemetry/sdk-trace-base';
import { createScheduler } from '../src/createScheduler.js';
import { instrumentScheduler } from '../src/monitoring/instrumentScheduler.js';
import { formatTable } from '../src/simulate/formatTable.js';
import { median } from './median.js';

/** No-op tasks per round. */
const taskCount = 20_000;
/** Workers of the scheduler. */
const maxWorkers = 4;
/** Timed rounds; each runs every mode, in rotating order. */
const repetitions = 7;

type Mode = 'off' | 'api only' | 'on';
const MODES: readonly Mode[] = ['off', 'api only', 'on'];

/** Tasks per second of one mode: by the wall clock, and by the process's CPU time (all its threads, GC included). */
interface Throughput {
  readonly wall: number;
  readonly cpu: number;
}

/** What {@link run} measured: throughput of each round per mode, their medians and the ratios. */
export interface MonitoringBenchResult {
  readonly rounds: Readonly<Record<Mode, readonly Throughput[]>>;
  readonly medians: Readonly<Record<Mode, Throughput>>;
  /** median(on) / median(off) by the wall clock: the share of throughput kept with traces and metrics on (target ≥ 0.90). */
  readonly ratio: number;
  /**
   * The same by CPU time: on a shared machine other processes stretch a round's wall time but
   * hardly its CPU time, so this one moves less from run to run.
   */
  readonly cpuRatio: number;
}

/** Takes spans as a real exporter would and drops them: what is measured is the SDK's work, not a network. */
class DiscardingExporter implements SpanExporter {
  spans = 0;
  export(spans: ReadableSpan[], done: (result: { code: 0 }) => void): void {
    this.spans += spans.length;
    done({ code: 0 });
  }
  async shutdown(): Promise<void> {}
}

/** A metric reader nobody collects from during the round, as a Prometheus scrape every 15 s would not. */
class IdleReader extends MetricReader {
  protected override async onShutdown(): Promise<void> {}
  protected override async onForceFlush(): Promise<void> {}
}

/** Runs `taskCount` no-op tasks and returns tasks per second, instrumented as `mode` says. */
async function round(mode: Mode): Promise<Throughput> {
  const scheduler = createScheduler({ maxWorkers, defaultRetry: { attempts: 1 }, maxFinishedRecords: taskCount });
  const tracerProvider = new BasicTracerProvider({ spanProcessors: [new BatchSpanProcessor(new DiscardingExporter())] });
  const meterProvider = new MeterProvider({ readers: [new IdleReader()] });
  // 'api only': instrumented, but no SDK registered anywhere: the API's no-op tracer and meter.
  const instrumentation =
    mode === 'on' ? instrumentScheduler(scheduler, { tracerProvider, meterProvider, policy: 'priority' }) : mode === 'api only' ? instrumentScheduler(scheduler, { policy: 'priority' }) : undefined;
  const specs = Array.from({ length: taskCount }, (_, index) => ({ id: `t${index}`, dependencies: index % 10 === 0 ? [] : [`t${index - (index % 10)}`], run: () => undefined }));
  // The garbage of the round before (another mode's) is not this round's to collect.
  globalThis.gc?.();
  const cpuBefore = process.cpuUsage();
  const startedAt = performance.now();
  scheduler.scheduleTasks(specs);
  await scheduler.onIdle();
  // Spans still buffered are the run's work too: export them before the clock stops.
  await tracerProvider.forceFlush();
  const seconds = (performance.now() - startedAt) / 1000;
  const cpu = process.cpuUsage(cpuBefore);
  instrumentation?.stop();
  await tracerProvider.shutdown();
  await meterProvider.shutdown();
  await scheduler.stop();
  return { wall: taskCount / seconds, cpu: taskCount / ((cpu.user + cpu.system) / 1e6) };
}

const medianOf = (rounds: readonly Throughput[]): Throughput => ({ wall: median(rounds.map((r) => r.wall)), cpu: median(rounds.map((r) => r.cpu)) });

/**
 * Measures what monitoring costs: throughput of {@link taskCount} no-op tasks on
 * {@link maxWorkers} workers (nine in ten with one dependency, so spans carry links) without
 * instrumentation, instrumented with only the API (no SDK: what an app that never registers one
 * pays), and instrumented with the real SDK as an app sets it up: a BasicTracerProvider with its
 * default sampler (every span recorded) and a BatchSpanProcessor with its default settings, whose
 * exporter takes each batch and drops it (so the SDK's own work is all there: ids, attributes,
 * links, events, batching; an OTLP exporter's serialization and network are not), and a
 * MeterProvider with a reader, not collected during a round (a Prometheus scrape every 15 s would
 * come at most once). No context manager is registered. Each round ends when the scheduler is
 * idle and the buffered spans are exported; every mode runs once per repetition, in rotating
 * order, in this one process. Prints a table and returns the numbers.
 *
 * @example
 * const { ratio, cpuRatio } = await run(); // e.g. 0.81: traces and metrics keep 81% of the throughput
 */
export async function run(): Promise<MonitoringBenchResult> {
  for (const mode of MODES) await round(mode);
  const rounds: Record<Mode, Throughput[]> = { off: [], 'api only': [], on: [] };
  for (let repetition = 0; repetition < repetitions; repetition += 1) {
    const order = MODES.map((_, index) => MODES[(index + repetition) % MODES.length] as Mode);
    for (const mode of order) rounds[mode].push(await round(mode));
  }
  const medians = { off: medianOf(rounds.off), 'api only': medianOf(rounds['api only']), on: medianOf(rounds.on) };
  const result = { rounds, medians, ratio: medians.on.wall / medians.off.wall, cpuRatio: medians.on.cpu / medians.off.cpu };
  console.log(`monitoring: ${taskCount} no-op tasks, ${maxWorkers} workers, median of ${repetitions} rotating rounds`);
  console.log(
    formatTable(
      MODES.map((mode) => ({
        mode,
        'median tasks/s': medians[mode].wall,
        'of off': medians[mode].wall / medians.off.wall,
        'median tasks/CPU-s': medians[mode].cpu,
        'of off (CPU)': medians[mode].cpu / medians.off.cpu,
        'rounds tasks/s': rounds[mode].map((value) => value.wall.toFixed(0)).join(' '),
      })),
      2,
    ),
  );
  // The spread: on / off within each repetition (the two ran a few seconds apart).
  const spread = (key: keyof Throughput): string => {
    const paired = rounds.on.map((on, index) => on[key] / (rounds.off[index] as Throughput)[key]);
    return `${Math.min(...paired).toFixed(2)}-${Math.max(...paired).toFixed(2)}`;
  };
  console.log(
    `ratio (traces + metrics on / off): ${result.ratio.toFixed(2)} by the wall clock (rounds ${spread('wall')}), ` +
      `${result.cpuRatio.toFixed(2)} by CPU time (rounds ${spread('cpu')}); target ≥ 0.90`,
  );
  return result;
}
