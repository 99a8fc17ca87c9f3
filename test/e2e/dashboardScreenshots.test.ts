import type { Browser, Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { createScheduler } from '../../src/core/createScheduler.js';
import { startDashboard, type Dashboard } from '../../src/dashboard/startDashboard.js';
import { closedAfterAll, compareScreenshot, launchChromium, NO_CHROMIUM } from './browser.js';
import { fixtureDetail, fixtureSnapshot } from './fixtures/runSnapshot.js';

if (NO_CHROMIUM !== undefined) console.warn(`skipping the dashboard screenshots: ${NO_CHROMIUM}`);
/** Share of pixels allowed to differ: anti-aliasing and the live clock's last few ms, not a changed layout. */
const TOLERANCE = 0.004;

/** Opens the real page, served by a real dashboard, fed the fixture run instead of the live socket. */
async function openFixture(browser: Browser, dashboard: Dashboard, count: number): Promise<Page> {
  const snapshot = fixtureSnapshot(count);
  const page = await browser.newPage({ viewport: { width: 1600, height: 1000 }, deviceScaleFactor: 1 });
  // The wall clock stands still (timers still run): running attempts end where the snapshot's time is.
  await page.clock.setFixedTime(new Date('2026-12-07T12:00:00Z'));
  await page.routeWebSocket(/\/ws$/, (socket) => socket.send(JSON.stringify(snapshot)));
  await page.route(/\/api\/task\?id=/, (route) => route.fulfill({ json: fixtureDetail(snapshot, new URL(route.request().url()).searchParams.get('id') ?? '') }));
  await page.goto(dashboard.url);
  await page.locator(`#graph[data-tasks="${count}"]`).waitFor({ state: 'attached' });
  await page.click('.row[data-task-id="task-3"]');
  await page.locator('#statechart .chart-state.active[data-path="completed"]').waitFor();
  await page.locator('#history tbody tr').nth(3).waitFor();
  await page.mouse.move(0, 0);
  // The heavy views redraw every 250 ms: let one more pass land.
  await page.waitForTimeout(600);
  return page;
}

describe.skipIf(NO_CHROMIUM !== undefined)('the dashboard at 20, 500 and 10 000 tasks, against reference screenshots', () => {
  const run = closedAfterAll();
  let browser: Browser;
  let dashboard: Dashboard;

  beforeAll(async () => {
    run.scheduler = createScheduler();
    dashboard = run.dashboard = await startDashboard(run.scheduler);
    browser = run.browser = await launchChromium();
  });

  it.each([20, 500, 10_000])('draws a run of %i tasks as the reference shows it', async (count) => {
    const page = await openFixture(browser, dashboard, count);
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    expect(await page.locator('#graph').getAttribute('data-mode')).toBe(count <= 400 ? 'tasks' : 'clusters');
    expect(await page.locator('#task-count').textContent()).toBe(`${count} of ${count}`);
    const { mismatch, created } = compareScreenshot(`dashboard-${count}`, await page.screenshot());
    // Hovering the first bar of the first lane names its attempt (the lane starts 90 px in, below an 18 px axis).
    const timeline = await page.locator('#timeline canvas').boundingBox();
    await page.mouse.move((timeline?.x ?? 0) + 100, (timeline?.y ?? 0) + 18 + 8);
    await expect.poll(() => page.locator('#timeline .tooltip').textContent()).toMatch(/^task-\d+ · attempt 1 · (completed|failed) · \d+ ms$/);
    // The boxes are buttons for the keyboard and screen readers too: a cluster lists its tasks.
    if (count > 400) {
      const cluster = page.locator('#graph button[data-key="check"][data-level="0"]');
      const size = Number(/: (\d+) tasks/.exec((await cluster.textContent()) ?? '')?.[1]);
      expect(size).toBeGreaterThan(0);
      await cluster.focus();
      await page.keyboard.press('Enter');
      await expect.poll(() => page.locator('#task-count').textContent()).toBe(`${size} of ${count}`);
      expect(await page.locator('#task-scope-label').textContent()).toBe('in check · level 0');
    } else {
      await page.locator('#graph button[data-task-id="task-9"]').focus();
      await page.keyboard.press('Enter');
      await expect.poll(() => page.locator('#detail-title').textContent()).toBe('task-9: running');
    }
    await page.close();
    expect(created, 'the reference screenshot was missing and has been written: look at it, commit it and run again').toBe(false);
    expect(mismatch).toBeLessThanOrEqual(TOLERANCE);
    expect(errors).toEqual([]);
  });
});
