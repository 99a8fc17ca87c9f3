import { mkdir } from 'node:fs/promises';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { createScheduler } from '../../src/core/createScheduler.js';
import { startDashboard } from '../../src/dashboard/startDashboard.js';
import type { TaskRun, TaskSpec } from '../../src/types.js';
import { closedAfterAll, launchChromium, NO_CHROMIUM } from './browser.js';

const sleep = (ms: number): TaskRun => () => new Promise((resolve) => setTimeout(resolve, ms));
/** Work that runs until its signal aborts, so the task stays `running` until cancelled. */
const untilAborted: TaskRun = ({ signal }) =>
  new Promise((_resolve, reject) => signal.addEventListener('abort', () => reject(signal.reason as Error), { once: true }));

const pipeline: TaskSpec[] = [
  { id: 'fetch', run: sleep(150), resources: { network: 100 } },
  { id: 'lint', run: sleep(120) },
  { id: 'parse', dependencies: ['fetch'], run: sleep(150), resources: { cpu: 2 } },
  { id: 'index', dependencies: ['parse'], run: sleep(120), resources: { cpu: 2, memory: 4 } },
  { id: 'thumbnails', dependencies: ['fetch'], run: sleep(200), resources: { cpu: 1 } },
  {
    id: 'flaky',
    dependencies: ['lint'],
    run: () => Promise.reject(new Error('upstream said no')),
  },
  { id: 'report', dependencies: ['index', 'thumbnails'], run: sleep(100) },
];

const rowState = (page: Page, id: string) => page.locator(`.row[data-task-id="${id}"]`).getAttribute('data-state');

async function expectRowState(page: Page, id: string, state: string): Promise<void> {
  await page.locator(`.row[data-task-id="${id}"][data-state="${state}"]`).waitFor({ timeout: 15_000 });
}

describe('dashboard in a real browser', () => {
  const run = closedAfterAll();

  it('shows tasks reaching final states, the graph, pools, timeline and explanation, the statechart once a task is chosen, and cancels a running task', async (context) => {
    if (NO_CHROMIUM !== undefined) {
      console.warn(`skipping the browser test: ${NO_CHROMIUM}`);
      context.skip(NO_CHROMIUM);
    }
    const scheduler = (run.scheduler = createScheduler({ maxWorkers: 2, defaultRetry: { attempts: 1 } }));
    const dashboard = (run.dashboard = await startDashboard(scheduler, { throttleMs: 50 }));
    const browser = (run.browser = await launchChromium());
    const page = await browser.newPage({ viewport: { width: 1500, height: 1150 } });
    const pageErrors: string[] = [];
    const foreignRequests: string[] = [];
    page.on('pageerror', (error) => pageErrors.push(error.message));
    page.on('request', (request) => {
      if (!request.url().startsWith(dashboard.url.replace(/\/$/, '')) && !request.url().startsWith('data:')) foreignRequests.push(request.url());
    });
    await page.goto(dashboard.url);
    await page.locator('#connection[data-state="live"]').waitFor();
    // No task chosen: no statechart.
    expect(await page.locator('#statechart-box').isHidden()).toBe(true);

    scheduler.scheduleTasks(pipeline);
    await expectRowState(page, 'report', 'completed');
    await expectRowState(page, 'flaky', 'failed');
    for (const id of ['fetch', 'lint', 'parse', 'index', 'thumbnails']) expect(await rowState(page, id)).toBe('completed');

    // The graph: few tasks, so one box per task, with an arrow per dependency.
    await page.locator(`#graph[data-mode="tasks"][data-tasks="${pipeline.length}"][data-edges="6"]`).waitFor({ state: 'attached' });
    // The progress bars: the whole run's, and one per group.
    await expect.poll(() => page.locator('#run-progress-text').textContent()).toBe('6/7 done, 1 failed');
    // Pools and workers.
    expect(await page.locator('#pools .pool').evaluateAll((pools) => pools.map((pool) => (pool as HTMLElement).dataset['name']))).toEqual(['cpu', 'memory', 'disk', 'network']);
    await expect.poll(() => page.locator('#workers').textContent()).toContain('Workers busy: 0 / 2');
    // The timeline: every attempt, on the two worker slots.
    await page.locator(`#timeline[data-runs="${pipeline.length}"][data-lanes="2"]`).waitFor({ state: 'attached' });

    // Two tasks that never finish on their own fill both workers; a third waits and says why.
    scheduler.scheduleTasks([
      { id: 'watch', run: untilAborted },
      { id: 'serve', run: untilAborted },
      { id: 'waiting', run: sleep(50) },
    ]);
    await expectRowState(page, 'watch', 'running');
    await expectRowState(page, 'serve', 'running');
    await page.click('.row[data-task-id="waiting"]');
    await expect.poll(() => page.locator('#explanation').textContent()).toContain('Why not running');
    expect(await page.locator('#explanation').textContent()).toContain('all workers are busy');
    expect(await page.locator('#queue li').first().textContent()).toContain('waiting');

    await page.click('.row[data-task-id="watch"]');
    await page.locator('#statechart .chart-state.active[data-path="running"]').waitFor();
    await page.click('#cancel-button');
    await expectRowState(page, 'watch', 'cancelled');
    expect(scheduler.getTaskStatus('watch')).toBe('cancelled');
    await page.locator('#statechart .chart-state.active[data-path="cancelled"]').waitFor();
    await expect.poll(() => page.locator('#history tbody tr').count()).toBe(3);
    await expectRowState(page, 'waiting', 'completed');

    // Focus mode: the selected task with its ancestors and descendants only.
    await page.click('.row[data-task-id="parse"]');
    await page.check('#graph-focus');
    await page.locator('#graph[data-mode="tasks"][data-tasks="4"]').waitFor({ state: 'attached' });
    expect(await page.locator('#dag-note').textContent()).toContain('focus on parse');

    // The panels are the person's to size: dragging the splitter widens the task list, and the page keeps it.
    const widthBefore = (await page.locator('#tasks-panel').boundingBox())?.width ?? 0;
    const splitter = await page.locator('.splitter[data-split="left"]').boundingBox();
    await page.mouse.move((splitter?.x ?? 0) + 2, (splitter?.y ?? 0) + 100);
    await page.mouse.down();
    await page.mouse.move((splitter?.x ?? 0) + 102, (splitter?.y ?? 0) + 100, { steps: 5 });
    await page.mouse.up();
    expect((await page.locator('#tasks-panel').boundingBox())?.width).toBeCloseTo(widthBefore + 100, -1);
    await page.reload();
    await page.locator('#connection[data-state="live"]').waitFor();
    expect((await page.locator('#tasks-panel').boundingBox())?.width).toBeCloseTo(widthBefore + 100, -1);

    await mkdir('test-artifacts', { recursive: true });
    await page.screenshot({ path: 'test-artifacts/dashboard.png', fullPage: true });
    expect(pageErrors).toEqual([]);
    expect(foreignRequests).toEqual([]);
  }, 60_000);
});
