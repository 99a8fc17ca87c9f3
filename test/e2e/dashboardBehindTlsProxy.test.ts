import { chromium, type Browser } from 'playwright-core';
import { afterEach, describe, expect, it } from 'vitest';
import { createScheduler } from '../../src/core/createScheduler.js';
import { startDashboard, type Dashboard } from '../../src/dashboard/startDashboard.js';
import type { Scheduler } from '../../src/core/scheduler.js';
import type { TaskRun } from '../../src/types.js';
import { startTlsProxy, type TlsProxy } from '../dashboard/startTlsProxy.js';
import { skipWithout } from '../support/requireTool.js';


/** Work that stays `running` until cancelled. */
const untilAborted: TaskRun = ({ signal }) => new Promise((_resolve, reject) => signal.addEventListener('abort', () => reject(signal.reason as Error), { once: true }));

describe('dashboard in a real browser behind a TLS-terminating proxy', () => {
  let browser: Browser | undefined;
  let scheduler: Scheduler | undefined;
  let dashboard: Dashboard | undefined;
  let proxy: TlsProxy | undefined;

  afterEach(async () => {
    await browser?.close();
    await dashboard?.close();
    await proxy?.close();
    await scheduler?.stop();
  });

  it('goes live over wss:// and cancels a running task from the button, with publicOrigin set to the https origin', async (context) => {
    const chromiumPath = skipWithout(context, 'chromium');
    let upstream = 0;
    proxy = await startTlsProxy({ upstreamPort: () => upstream, keepHost: true });
    const publicOrigin = `https://sched.example.test:${proxy.port}`;
    scheduler = createScheduler({ maxWorkers: 1 });
    dashboard = await startDashboard(scheduler, { throttleMs: 50, publicOrigin });
    upstream = Number(new URL(dashboard.url).port);
    // The public name resolves to the proxy, as DNS would; the proxy's certificate is self-signed.
    browser = await chromium.launch({ executablePath: chromiumPath, headless: true, args: ['--no-sandbox', '--disable-gpu', '--host-resolver-rules=MAP sched.example.test 127.0.0.1'] });
    const page = await browser.newPage({ ignoreHTTPSErrors: true });
    const refused: string[] = [];
    page.on('response', (response) => {
      if (response.status() >= 400) refused.push(`${response.status()} ${response.url()}`);
    });
    await page.goto(`${publicOrigin}/`);
    await page.locator('#connection[data-state="live"]').waitFor({ timeout: 15_000 });
    scheduler.scheduleTask({ id: 'watch', run: untilAborted });
    await page.locator('.row[data-task-id="watch"][data-state="running"]').waitFor({ timeout: 15_000 });
    await page.click('.row[data-task-id="watch"]');
    await page.click('#cancel-button');
    await page.locator('.row[data-task-id="watch"][data-state="cancelled"]').waitFor({ timeout: 15_000 });
    expect(scheduler.getTaskStatus('watch')).toBe('cancelled');
    expect(refused).toEqual([]);
  });
});
