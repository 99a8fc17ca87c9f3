import { mkdir } from 'node:fs/promises';
import type { Browser } from 'playwright-core';
import { afterAll, describe, expect, it } from 'vitest';
import { startDashboard, type Dashboard } from '../../src/dashboard/startDashboard.js';
import { startCoordinator } from '../distributed/coordinator.js';
import { startRedis, type TestRedis } from '../distributed/startRedis.js';
import { startWorkers, type WorkerProcess } from '../distributed/startWorkers.js';
import { requireTool } from '../support/requireTool.js';
import { launchChromium, NO_CHROMIUM } from './browser.js';

const SKIP_REASON = NO_CHROMIUM ?? requireTool('redis-server');
if (SKIP_REASON !== undefined) console.warn(`skipping the distributed dashboard test: ${SKIP_REASON}`);
/** A resource name that would be markup if the page wrote it as HTML. */
const HOSTILE = '<img src=x onerror="window.pwned=1">';

describe.skipIf(SKIP_REASON !== undefined)('dashboard of a distributed run in a real browser', () => {
  let redis: TestRedis | undefined;
  let workers: WorkerProcess[] = [];
  let browser: Browser | undefined;
  let dashboard: Dashboard | undefined;
  let closeCoordinator: (() => Promise<void>) | undefined;

  afterAll(async () => {
    await browser?.close();
    await dashboard?.close();
    await closeCoordinator?.();
    await Promise.all(workers.map((worker) => worker.kill()));
    await redis?.stop();
  });

  it('lists the nodes (one up with its worker, one down), shows the node each attempt ran on, and a job waiting for a worker on its node', async () => {
    redis = await startRedis();
    const prefix = 'dash';
    workers = await startWorkers(redis.url, [{ node: 'a', prefix, concurrency: 2, resources: { cpu: 4 } }]);
    const coordinator = await startCoordinator(redis.url, { nodes: ['a', { name: 'b', resources: { [HOSTILE]: 1 } }], prefix, loadBalancing: 'least_loaded' }, { maxWorkers: 3 });
    closeCoordinator = coordinator.close;
    const { scheduler, executor } = coordinator;
    dashboard = await startDashboard(scheduler, { throttleMs: 50, nodes: () => executor.nodes() });
    browser = await launchChromium();
    const page = await browser.newPage({ viewport: { width: 1500, height: 1150 } });
    const pageErrors: string[] = [];
    page.on('pageerror', (error) => pageErrors.push(error.message));
    await page.goto(dashboard.url);

    const row = (node: string) => page.locator(`#nodes tr.node-row[data-node="${node}"]`);
    await row('a').and(page.locator('[data-up="true"]')).waitFor({ timeout: 10_000 });
    expect(await row('b').getAttribute('data-up')).toBe('false');
    expect(await row('a').locator('td').allTextContents()).toEqual(['a', 'up', '1 (2 slots)', '0 / 0', 'cpu 0/4']);
    expect(await row('b').locator('td').nth(4).textContent()).toBe(`${HOSTILE} 0/1`);
    await expect.poll(() => page.locator('#nodes-note').textContent()).toBe('1 of 2 up');

    scheduler.scheduleTasks([
      { id: 'first', type: 'sleep', config: { ms: 600 } },
      { id: 'second', type: 'sleep', config: { ms: 600 }, dependencies: ['first'] },
    ]);
    // While `first` runs, node a shows it running.
    await expect.poll(() => row('a').locator('td').nth(3).textContent(), { timeout: 10_000 }).toBe('1 / 1');
    await scheduler.onIdle();
    // Both attempts on node a's lane of the timeline (the page hears of the end on its next throttled update).
    await page.locator('#timeline[data-runs="2"][data-lane-nodes="a"]').waitFor({ state: 'attached', timeout: 10_000 });
    await page.click('.row[data-task-id="second"]');
    await expect.poll(() => page.locator('#detail-title').textContent()).toBe('second: completed (node a)');
    await expect.poll(() => row('a').locator('td').nth(3).textContent()).toBe('0 / 0');

    // Three slots for node a's two worker slots: one job waits in its queue, dispatched, not running.
    scheduler.scheduleTasks(['w1', 'w2', 'w3'].map((id) => ({ id, type: 'sleep', config: { ms: 1500 } })));
    const waiting = page.locator('#task-list .row[data-state="pending.dispatched"]');
    await expect.poll(() => waiting.count(), { timeout: 10_000 }).toBe(1);
    expect(await waiting.locator('.state').textContent()).toBe('waiting for a worker on a');
    await expect.poll(() => page.locator('#workers').textContent()).toBe('Workers busy: 3 / 3 (1 dispatched, waiting for a worker)');
    await expect.poll(() => page.locator('#counters .counter-running span').textContent()).toBe('2');
    await expect.poll(() => row('a').locator('td').nth(3).textContent()).toBe('2 / 3');
    await waiting.click();
    await expect.poll(() => page.locator('#explanation').textContent()).toContain('waits for a worker: queued on node "a", waiting for one of its workers');
    await scheduler.onIdle();

    await mkdir('test-artifacts', { recursive: true });
    await page.screenshot({ path: 'test-artifacts/dashboard-nodes.png', fullPage: true });
    expect(await page.evaluate(() => (window as unknown as { pwned?: number }).pwned)).toBeUndefined();
    expect(pageErrors).toEqual([]);
  }, 30_000);
});
