import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import WebSocket from 'ws';
import { createScheduler } from '../src/core/createScheduler.js';
import { startDashboard } from '../src/dashboard/startDashboard.js';
import { formatTable } from '../src/simulate/formatTable.js';
import { median } from './median.js';

/** No-op tasks per round. */
const taskCount = 20_000;
/** Workers of the scheduler. */
const maxWorkers = 4;
/** Timed rounds; each runs both modes, in alternating order. */
const repetitions = 5;

/** What {@link run} measured: tasks per second of each round, their medians and the ratio. */
export interface InspectionBenchResult {
  readonly plain: readonly number[];
  readonly dashboard: readonly number[];
  readonly medianPlain: number;
  readonly medianDashboard: number;
  /** medianDashboard / medianPlain: the share of throughput kept with the dashboard attached (target ≥ 0.5). */
  readonly ratio: number;
}

/** Runs `taskCount` no-op tasks and returns tasks per second; with a dashboard and one live page client when asked. */
async function round(withDashboard: boolean): Promise<number> {
  const scheduler = createScheduler({ maxWorkers, defaultRetry: { attempts: 1 }, maxFinishedRecords: taskCount });
  const dashboard = withDashboard ? await startDashboard(scheduler) : undefined;
  let client: WebSocket | undefined;
  if (dashboard !== undefined) {
    const socket = new WebSocket(`${dashboard.url.replace(/^http/, 'ws').replace(/\/$/, '')}/ws`);
    await new Promise((resolve) => socket.once('message', resolve));
    client = socket;
  }
  const specs = Array.from({ length: taskCount }, (_, index) => ({ id: `t${index}`, run: () => undefined }));
  const startedAt = performance.now();
  scheduler.scheduleTasks(specs);
  await scheduler.onIdle();
  const seconds = (performance.now() - startedAt) / 1000;
  client?.terminate();
  await dashboard?.close();
  await scheduler.stop();
  return taskCount / seconds;
}

/**
 * Measures what the live dashboard costs: throughput of {@link taskCount} no-op tasks on
 * {@link maxWorkers} workers with `startDashboard` attached (and one page connected, so patches
 * are built and sent) against the same scheduler without it. Prints a table and returns the numbers.
 *
 * @example
 * const { ratio } = await run(); // e.g. 0.8: the dashboard keeps 80% of the throughput
 */
export async function run(): Promise<InspectionBenchResult> {
  await round(false);
  await round(true);
  const plain: number[] = [];
  const dashboard: number[] = [];
  for (let repetition = 0; repetition < repetitions; repetition += 1) {
    const order = repetition % 2 === 0 ? [false, true] : [true, false];
    for (const withDashboard of order) (withDashboard ? dashboard : plain).push(await round(withDashboard));
  }
  const result = { plain, dashboard, medianPlain: median(plain), medianDashboard: median(dashboard), ratio: median(dashboard) / median(plain) };
  console.log(`inspection: ${taskCount} no-op tasks, ${maxWorkers} workers, median of ${repetitions} interleaved rounds`);
  console.log(
    formatTable(
      [
        { mode: 'no dashboard', 'median tasks/s': result.medianPlain, rounds: plain.map((value) => value.toFixed(0)).join(' ') },
        { mode: 'dashboard + 1 page', 'median tasks/s': result.medianDashboard, rounds: dashboard.map((value) => value.toFixed(0)).join(' ') },
      ],
      0,
    ),
  );
  console.log(`ratio (dashboard / none): ${result.ratio.toFixed(2)} (target ≥ 0.50)`);
  return result;
}

// Run when started directly (`node --import tsx bench/inspection.bench.ts`), not when imported.
if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await run();
}
