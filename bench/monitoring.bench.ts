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
const repetitions = 5;

type Mode = 'off' | 'api only' | 'on';
const MODES: readonly Mode[] = ['off', 'api only', 'on'];

/** What {@link run} measured: tasks per second of each round per mode, their medians and the ratio. */
export interface MonitoringBenchResult {
  readonly rounds: Readonly<Record<Mode, readonly number[]>>;
  readonly medians: Readonly<Record<Mode, number>>;
  /** median(on) / median(off): the share of throughput kept with traces and metrics on (target ≥ 0.90). */
  readonly ratio: number;
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
async function round(mode: Mode): Promise<number> {
  const scheduler = createScheduler({ maxWorkers, defaultRetry: { attempts: 1 }, maxFinishedRecords: taskCount });
  const tracerProvider = new BasicTracerProvider({ spanProcessors: [new BatchSpanProcessor(new DiscardingExporter())] });
  const meterProvider = new MeterProvider({ readers: [new IdleReader()] });
  // 'api only': instrumented, but no SDK registered anywhere: the API's no-op tracer and meter.
  const instrumentation =
    mode === 'on' ? instrumentScheduler(scheduler, { tracerProvider, meterProvider, policy: 'priority' }) : mode === 'api only' ? instrumentScheduler(scheduler, { policy: 'priority' }) : undefined;
  const specs = Array.from({ length: taskCount }, (_, index) => ({ id: `t${index}`, dependencies: index % 10 === 0 ? [] : [`t${index - (index % 10)}`], run: () => undefined }));
  const startedAt = performance.now();
  scheduler.scheduleTasks(specs);
  await scheduler.onIdle();
  const seconds = (performance.now() - startedAt) / 1000;
  instrumentation?.stop();
  await tracerProvider.shutdown();
  await meterProvider.shutdown();
  await scheduler.stop();
  return taskCount / seconds;
}

/**
 * Measures what monitoring costs: throughput of {@link taskCount} no-op tasks on
 * {@link maxWorkers} workers (nine in ten with one dependency, so spans carry links) without
 * instrumentation, instrumented with only the API (no SDK: what an app that never registers one
 * pays), and instrumented with the real SDK (BatchSpanProcessor, a discarding exporter, a meter
 * provider with a reader). Prints a table and returns the numbers.
 *
 * @example
 * const { ratio } = await run(); // e.g. 0.93: traces and metrics keep 93% of the throughput
 */
export async function run(): Promise<MonitoringBenchResult> {
  for (const mode of MODES) await round(mode);
  const rounds: Record<Mode, number[]> = { off: [], 'api only': [], on: [] };
  for (let repetition = 0; repetition < repetitions; repetition += 1) {
    const order = MODES.map((_, index) => MODES[(index + repetition) % MODES.length] as Mode);
    for (const mode of order) rounds[mode].push(await round(mode));
  }
  const medians = { off: median(rounds.off), 'api only': median(rounds['api only']), on: median(rounds.on) };
  const result = { rounds, medians, ratio: medians.on / medians.off };
  console.log(`monitoring: ${taskCount} no-op tasks, ${maxWorkers} workers, median of ${repetitions} rotating rounds`);
  console.log(
    formatTable(
      MODES.map((mode) => ({ mode, 'median tasks/s': medians[mode], 'of off': medians[mode] / medians.off, rounds: rounds[mode].map((value) => value.toFixed(0)).join(' ') })),
      2,
    ),
  );
  console.log(`ratio (traces + metrics on / off): ${result.ratio.toFixed(2)} (target ≥ 0.90)`);
  return result;
}
