import { existsSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { createScheduler } from '../src/core/createScheduler.js';
import { startDashboard } from '../src/dashboard/startDashboard.js';
import { formatTable } from '../src/simulate/formatTable.js';
import { FULL_SPEED_TASKS, watchFullSpeedRun, type FullSpeedParts, type FullSpeedRun } from './dashboardFullSpeed.js';
import { median } from './median.js';

const CHROMIUM = '/usr/bin/chromium';
const OFFLINE_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'];
/** No-op tasks per throughput round, on this many workers. */
const taskCount = 20_000;
const maxWorkers = 4;
const repetitions = 5;
/** Tasks of the memory run, measured every quarter. */
const longRunTasks = 100_000;
/** Runs of the full-speed page test (10 s each). */
const fullSpeedRepetitions = 3;

/** What {@link run} measured. */
export interface DashboardBenchResult {
  readonly plain: readonly Round[];
  readonly withPage: readonly Round[];
  /** median tasks/s with the page attached / without: share of throughput kept (target ≥ 0.7). */
  readonly ratio: number;
  /**
   * The same ratio in tasks per CPU-second of this process: what the dashboard costs the
   * scheduler's thread, whatever else the machine is running.
   */
  readonly cpuRatio: number;
  /** The page's JS heap (MiB, after a GC) and DOM nodes after each quarter of the long run. */
  readonly memory: readonly { readonly tasks: number; readonly heapMiB: number; readonly domNodes: number }[];
  /** The page through a run of 10 000 tasks at full speed (targets: total blocking < 500 ms over 10 s, a click shown < 200 ms). */
  readonly fullSpeed: readonly FullSpeedRun[];
}

async function openPage(browser: Browser, url: string): Promise<Page> {
  const page = await browser.newPage({ viewport: { width: 1600, height: 1000 } });
  await page.goto(url);
  await page.locator('#connection[data-state="live"]').waitFor();
  return page;
}

/** One round: tasks per second of wall-clock time, and per second of this process's CPU time. */
interface Round {
  readonly perSecond: number;
  readonly perCpuSecond: number;
}

/** `count` no-op tasks, with the dashboard and a real page attached when a browser is given. */
async function round(browser: Browser | undefined, count = taskCount): Promise<Round> {
  const scheduler = createScheduler({ maxWorkers, defaultRetry: { attempts: 1 }, maxFinishedRecords: count });
  const dashboard = browser === undefined ? undefined : await startDashboard(scheduler);
  const page = dashboard === undefined || browser === undefined ? undefined : await openPage(browser, dashboard.url);
  const startedAt = performance.now();
  const cpuAtStart = process.cpuUsage();
  scheduler.scheduleTasks(Array.from({ length: count }, (_, index) => ({ id: `t${index}`, group: `g${index % 8}`, run: () => undefined })));
  await scheduler.onIdle();
  const seconds = (performance.now() - startedAt) / 1000;
  const cpu = process.cpuUsage(cpuAtStart);
  await page?.close();
  await dashboard?.close();
  await scheduler.stop();
  return { perSecond: count / seconds, perCpuSecond: count / ((cpu.user + cpu.system) / 1e6) };
}

/** The page's heap after a full GC, and its DOM size. */
async function pageMemory(page: Page): Promise<{ heapMiB: number; domNodes: number }> {
  const session = await page.context().newCDPSession(page);
  await session.send('HeapProfiler.collectGarbage');
  const { usedSize } = (await session.send('Runtime.getHeapUsage')) as { usedSize: number };
  await session.detach();
  const domNodes = await page.evaluate(() => document.getElementsByTagName('*').length);
  return { heapMiB: usedSize / 2 ** 20, domNodes };
}

/** A run of {@link longRunTasks} no-op tasks scheduled in quarters, the page's memory read after each. */
async function memoryRun(browser: Browser): Promise<DashboardBenchResult['memory']> {
  // The scheduler's default record limit: old finished tasks are dropped, and the page hears of it.
  const scheduler = createScheduler({ maxWorkers, defaultRetry: { attempts: 1 } });
  const dashboard = await startDashboard(scheduler);
  const page = await openPage(browser, dashboard.url);
  const samples: { tasks: number; heapMiB: number; domNodes: number }[] = [];
  const quarter = longRunTasks / 4;
  for (let part = 0; part < 4; part += 1) {
    scheduler.scheduleTasks(Array.from({ length: quarter }, (_, index) => ({ id: `t${part * quarter + index}`, group: `g${index % 8}`, run: () => undefined })));
    await scheduler.onIdle();
    await page.waitForTimeout(1000);
    samples.push({ tasks: (part + 1) * quarter, ...(await pageMemory(page)) });
  }
  await page.close();
  await dashboard.close();
  await scheduler.stop();
  return samples;
}

/** {@link fullSpeedRepetitions} runs of {@link watchFullSpeedRun}, each closed before the next. */
async function fullSpeedRuns(browser: Browser): Promise<FullSpeedRun[]> {
  const runs: FullSpeedRun[] = [];
  for (let repetition = 0; repetition < fullSpeedRepetitions; repetition += 1) {
    const parts: FullSpeedParts = {};
    try {
      runs.push(await watchFullSpeedRun(browser, parts));
    } finally {
      await parts.dashboard?.close();
      await parts.scheduler?.stop();
    }
  }
  return runs;
}

/**
 * What the dashboard's page costs: throughput of {@link taskCount} no-op tasks on {@link maxWorkers}
 * workers with `startDashboard` and a real page in Debian's Chromium attached, against none
 * (target: at least 0.7 of it); then the page's memory through a {@link longRunTasks}-task run;
 * then how the page keeps up with 10 000 tasks at full speed (total blocking time, click to detail).
 *
 * @example
 * const { ratio } = await run(); // e.g. 0.8: the page attached keeps 80% of the throughput
 */
export async function run(): Promise<DashboardBenchResult | undefined> {
  if (!existsSync(CHROMIUM)) {
    console.log(`dashboard: skipped, ${CHROMIUM} is absent`);
    return undefined;
  }
  const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: OFFLINE_ARGS });
  try {
    await round(undefined, 2000);
    await round(browser, 2000);
    const plain: Round[] = [];
    const withPage: Round[] = [];
    for (let repetition = 0; repetition < repetitions; repetition += 1) {
      const order = repetition % 2 === 0 ? [false, true] : [true, false];
      for (const attached of order) (attached ? withPage : plain).push(await round(attached ? browser : undefined));
    }
    const wall = (rounds: readonly Round[]): number => median(rounds.map((each) => each.perSecond));
    const cpu = (rounds: readonly Round[]): number => median(rounds.map((each) => each.perCpuSecond));
    const ratio = wall(withPage) / wall(plain);
    const cpuRatio = cpu(withPage) / cpu(plain);
    console.log(`dashboard: ${taskCount} no-op tasks, ${maxWorkers} workers, median of ${repetitions} interleaved rounds`);
    const row = (mode: string, rounds: readonly Round[]) => ({
      mode,
      'median tasks/s': wall(rounds),
      'median tasks/CPU-s': cpu(rounds),
      rounds: rounds.map((each) => each.perSecond.toFixed(0)).join(' '),
    });
    console.log(formatTable([row('no dashboard', plain), row('dashboard + page in Chromium', withPage)], 0));
    console.log(`ratio (page attached / none): ${ratio.toFixed(2)} in tasks/s, ${cpuRatio.toFixed(2)} in tasks per CPU-second of the scheduler's process (target ≥ 0.70)`);
    const memory = await memoryRun(browser);
    console.log(`dashboard: the page's memory through a ${longRunTasks}-task run (JS heap after GC)`);
    console.log(formatTable(memory.map((sample) => ({ tasks: sample.tasks, 'heap MiB': sample.heapMiB, 'DOM nodes': sample.domNodes })), 1));
    const fullSpeed = await fullSpeedRuns(browser);
    console.log(`dashboard: ${FULL_SPEED_TASKS} tasks in 10 levels at full speed (8 ms each, 8 workers), page at 1600×1000, ${fullSpeedRepetitions} runs of 10 s`);
    console.log(
      formatTable(
        fullSpeed.map((each, index) => ({
          run: index + 1,
          'total blocking ms': each.totalBlockingMs,
          'long tasks': each.longTasks,
          'longest ms': each.longestMs,
          'click to detail ms': each.clicksMs.map((ms) => ms.toFixed(0)).join(' '),
          'tasks done': each.completed,
        })),
        0,
      ),
    );
    const clicks = fullSpeed.flatMap((each) => each.clicksMs);
    console.log(
      `median total blocking ${median(fullSpeed.map((each) => each.totalBlockingMs)).toFixed(0)} ms over 10 s (target < 500); click to detail median ${median(clicks).toFixed(0)} ms, slowest ${Math.max(...clicks).toFixed(0)} ms (target < 200)`,
    );
    return { plain, withPage, ratio, cpuRatio, memory, fullSpeed };
  } finally {
    await browser.close();
  }
}

// Run when started directly (`node --import tsx bench/dashboard.bench.ts`), not when imported.
if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await run();
}
