import { mkdir } from 'node:fs/promises';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, describe, expect, it } from 'vitest';
import { createScheduler } from '../../src/createScheduler.js';
import { startDashboard, type Dashboard } from '../../src/dashboard/startDashboard.js';
import type { Scheduler } from '../../src/scheduler.js';
import type { TaskRun, TaskSpec } from '../../src/types.js';
import { skipWithout } from '../support/requireTool.js';

/** Flags that keep the browser off the network: the page must work with every asset served locally. */
const OFFLINE_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'];

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
  let browser: Browser | undefined;
  let scheduler: Scheduler | undefined;
  let dashboard: Dashboard | undefined;

  afterAll(async () => {
    await browser?.close();
    await dashboard?.close();
    await scheduler?.stop();
  });

  it('shows tasks reaching final states, the DAG, pools, timeline and explanation, and cancels a running task', async (context) => {
    const executablePath = skipWithout(context, 'chromium');
    scheduler = createScheduler({ maxWorkers: 2, defaultRetry: { attempts: 1 } });
    dashboard = await startDashboard(scheduler, { throttleMs: 50 });
    browser = await chromium.launch({ executablePath, headless: true, args: OFFLINE_ARGS });
    const page = await browser.newPage({ viewport: { width: 1500, height: 1150 } });
    const pageErrors: string[] = [];
    const foreignRequests: string[] = [];
    page.on('pageerror', (error) => pageErrors.push(error.message));
    page.on('request', (request) => {
      if (!request.url().startsWith(dashboard?.url.replace(/\/$/, '') ?? '') && !request.url().startsWith('data:')) foreignRequests.push(request.url());
    });
    await page.goto(dashboard.url);
    await page.locator('#connection[data-state="live"]').waitFor();

    scheduler.scheduleTasks(pipeline);
    await expectRowState(page, 'report', 'completed');
    await expectRowState(page, 'flaky', 'failed');
    for (const id of ['fetch', 'lint', 'parse', 'index', 'thumbnails']) expect(await rowState(page, id)).toBe('completed');

    // The DAG: one node per task, coloured by state, with an edge per dependency.
    await expect.poll(() => page.locator('#dag .dag-node').count()).toBe(pipeline.length);
    expect(await page.locator('#dag .dag-node[data-id="report"]').getAttribute('data-status')).toBe('completed');
    expect(await page.locator('#dag .dag-node[data-id="flaky"]').getAttribute('class')).toContain('s-failed');
    expect(await page.locator('#dag path.edge').count()).toBe(6);
    // Pools and workers.
    expect(await page.locator('#pools .pool').evaluateAll((pools) => pools.map((pool) => (pool as HTMLElement).dataset['name']))).toEqual(['cpu', 'memory', 'disk', 'network']);
    await expect.poll(() => page.locator('#workers').textContent()).toContain('Workers busy: 0 / 2');
    // The timeline: one bar per attempt on two worker rows.
    await expect.poll(() => page.locator('#gantt rect.run').count()).toBe(pipeline.length);
    expect(await page.locator('#gantt rect.run[data-task="report"]').getAttribute('data-outcome')).toBe('completed');

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

    await mkdir('test-artifacts', { recursive: true });
    await page.screenshot({ path: 'test-artifacts/dashboard.png', fullPage: true });
    expect(pageErrors).toEqual([]);
    expect(foreignRequests).toEqual([]);
  }, 60_000);
});
