import type { Browser } from 'playwright-core';
import { createScheduler } from '../src/core/createScheduler.js';
import type { Scheduler } from '../src/core/scheduler.js';
import { startDashboard, type Dashboard } from '../src/dashboard/startDashboard.js';
import type { TaskSpec } from '../src/types.js';

/** Tasks of the run, in this many levels (each task depends on one of the level before). */
export const FULL_SPEED_TASKS = 10_000;
const LEVELS = 10;
/** How long the page is watched, from the moment the tasks are scheduled. */
const WINDOW_MS = 10_000;
/** Tasks clicked in the list while the run goes on, one every 1.5 s. */
const CLICKED = ['t3', 't1', 't7', 't2', 't5'];

/** 10 000 tasks in 10 levels, 8 ms of work each on 8 workers: a run of about 10 s. */
function workload(): TaskSpec[] {
  const perLevel = FULL_SPEED_TASKS / LEVELS;
  return Array.from({ length: FULL_SPEED_TASKS }, (_, index) => ({
    id: `t${index}`,
    group: ['fetch', 'prove', 'check', 'report'][index % 4] as string,
    dependencies: index < perLevel ? [] : [`t${index - perLevel}`],
    run: () => new Promise<void>((resolve) => setTimeout(resolve, 8)),
  }));
}

/** What the page did during {@link watchFullSpeedRun}. */
export interface FullSpeedRun {
  /** Sum over the page's long tasks of their time beyond 50 ms (the `longtask` observer). */
  readonly totalBlockingMs: number;
  readonly longTasks: number;
  readonly longestMs: number;
  /** Per click on a task's row: ms until its title and history showed. */
  readonly clicksMs: readonly number[];
  /** Tasks completed when the window closed. */
  readonly completed: number;
  /** What the page says at the end: `#task-count` and the graph's `data-tasks`. */
  readonly taskCount: string | null;
  readonly graphTasks: string | null;
  /** Errors the page threw. */
  readonly pageErrors: readonly string[];
}

/** What {@link watchFullSpeedRun} started, for its caller to close (also when it throws). */
export interface FullSpeedParts {
  scheduler?: Scheduler;
  dashboard?: Dashboard;
}

/**
 * Runs {@link FULL_SPEED_TASKS} tasks at full speed with the dashboard and a 1600×1000 page in
 * `browser`, clicks five tasks while they run, and reports what the page did over 10 s. Shared by
 * the end-to-end test (which checks what the page shows) and `npm run bench -- dashboard` (which
 * reports the times: a timed assertion would fail on a loaded machine, not on a slow page).
 *
 * @example
 * const parts = {};
 * const run = await watchFullSpeedRun(browser, parts); // run.totalBlockingMs, run.clicksMs
 */
export async function watchFullSpeedRun(browser: Browser, parts: FullSpeedParts): Promise<FullSpeedRun> {
  const scheduler = (parts.scheduler = createScheduler({ maxWorkers: 8, defaultRetry: { attempts: 1 }, maxDependencyDepth: LEVELS, maxFinishedRecords: FULL_SPEED_TASKS }));
  const dashboard = (parts.dashboard = await startDashboard(scheduler));
  const page = await browser.newPage({ viewport: { width: 1600, height: 1000 } });
  try {
    const pageErrors: string[] = [];
    page.on('pageerror', (error) => pageErrors.push(error.message));
    await page.goto(dashboard.url);
    await page.locator('#connection[data-state="live"]').waitFor();
    await page.evaluate(() => {
      const durations: number[] = [];
      (window as unknown as { longTasks: number[] }).longTasks = durations;
      new PerformanceObserver((list) => {
        for (const entry of list.getEntries()) durations.push(entry.duration);
      }).observe({ type: 'longtask' });
    });
    const started = Date.now();
    scheduler.scheduleTasks(workload());
    const clicksMs: number[] = [];
    for (const id of CLICKED) {
      await page.waitForTimeout(1500);
      // In the page: from the click until the task's title and its history show.
      clicksMs.push(
        await page.evaluate(async (taskId) => {
          const clickedAt = performance.now();
          (document.querySelector(`.row[data-task-id="${taskId}"]`) as HTMLElement).click();
          // A loop, not a named callback: tsx (the bench's loader) would wrap a named function in a
          // helper the page does not have.
          while (!(document.getElementById('detail-title')?.textContent?.startsWith(`${taskId}:`) === true && document.querySelector('#history tbody tr') !== null)) {
            await new Promise((resolve) => requestAnimationFrame(resolve));
          }
          return performance.now() - clickedAt;
        }, id),
      );
    }
    await page.waitForTimeout(Math.max(0, WINDOW_MS - (Date.now() - started)));
    const longTasks = await page.evaluate(() => (window as unknown as { longTasks: number[] }).longTasks);
    return {
      totalBlockingMs: longTasks.reduce((sum, duration) => sum + Math.max(0, duration - 50), 0),
      longTasks: longTasks.length,
      longestMs: Math.max(0, ...longTasks),
      clicksMs,
      completed: scheduler.getStats().completed,
      taskCount: await page.locator('#task-count').textContent(),
      graphTasks: await page.locator('#graph').getAttribute('data-tasks'),
      pageErrors,
    };
  } finally {
    await page.close();
  }
}
