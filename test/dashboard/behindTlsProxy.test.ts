import { request as httpsRequest } from 'node:https';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { createScheduler } from '../../src/core/createScheduler.js';
import { startDashboard, type Dashboard, type DashboardOptions } from '../../src/dashboard/index.js';
import type { Scheduler } from '../../src/core/scheduler.js';
import type { TaskRun } from '../../src/types.js';
import { startTlsProxy, type TlsProxy } from './startTlsProxy.js';

/** Work that stays `running` until cancelled. */
const untilAborted: TaskRun = ({ signal }) => new Promise((_resolve, reject) => signal.addEventListener('abort', () => reject(signal.reason as Error), { once: true }));

interface Browser {
  /** The Host the browser sends: the name in the address bar. */
  readonly host: string;
  readonly origin: string;
}

/** POSTs a cancel through the proxy as the page's button does; resolves with the status. */
function cancelThrough(proxy: TlsProxy, browser: Browser, id: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const body = JSON.stringify({ id });
    const request = httpsRequest(
      { host: '127.0.0.1', port: proxy.port, method: 'POST', path: '/api/cancel', ca: proxy.cert, headers: { host: browser.host, origin: browser.origin, 'content-type': 'application/json' } },
      (response) => {
        response.resume();
        response.on('end', () => resolve(response.statusCode ?? 0));
      },
    );
    request.on('error', reject);
    request.end(body);
  });
}

/** Opens the live feed through the proxy as the page does; resolves with the first message's type, or the refusal's status. */
function openFeedThrough(proxy: TlsProxy, browser: Browser, sockets: WebSocket[]): Promise<string | number> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(`wss://127.0.0.1:${proxy.port}/ws`, { ca: proxy.cert, origin: browser.origin, headers: { host: browser.host } });
    sockets.push(socket);
    socket.once('message', (data) => resolve((JSON.parse(String(data)) as { type: string }).type));
    socket.once('unexpected-response', (_request, response) => resolve(response.statusCode ?? 0));
    socket.once('error', reject);
  });
}

describe('the dashboard behind a TLS-terminating proxy', () => {
  let scheduler: Scheduler | undefined;
  let dashboard: Dashboard | undefined;
  let proxy: TlsProxy | undefined;
  const sockets: WebSocket[] = [];

  afterEach(async () => {
    for (const socket of sockets.splice(0)) socket.terminate();
    await dashboard?.close();
    await proxy?.close();
    await scheduler?.stop();
    [scheduler, dashboard, proxy] = [undefined, undefined, undefined];
  });

  /** A proxy in front of a dashboard on 127.0.0.1, with a task running to cancel. */
  async function start(keepHost: boolean, options: (proxyPort: number) => DashboardOptions): Promise<TlsProxy> {
    let upstream = 0;
    proxy = await startTlsProxy({ upstreamPort: () => upstream, keepHost });
    scheduler = createScheduler({ maxWorkers: 1 });
    dashboard = await startDashboard(scheduler, { throttleMs: 20, ...options(proxy.port) });
    upstream = Number(new URL(dashboard.url).port);
    scheduler.scheduleTask({ id: 'long', run: untilAborted });
    return proxy;
  }

  it('accepts the WebSocket and the cancel button from the configured publicOrigin, the proxy passing the public Host on', async () => {
    const served = await start(true, (port) => ({ publicOrigin: `https://sched.example.test:${port}` }));
    const browser = { host: `sched.example.test:${served.port}`, origin: `https://sched.example.test:${served.port}` };
    expect(await openFeedThrough(served, browser, sockets)).toBe('snapshot');
    expect(await cancelThrough(served, browser, 'long')).toBe(200);
    expect((await scheduler?.waitForTask('long'))?.status).toBe('cancelled');
  });

  it('accepts the publicOrigin when the proxy sends the upstream Host (nginx default)', async () => {
    const served = await start(false, (port) => ({ publicOrigin: `https://sched.example.test:${port}` }));
    const browser = { host: `sched.example.test:${served.port}`, origin: `https://sched.example.test:${served.port}` };
    expect(await openFeedThrough(served, browser, sockets)).toBe('snapshot');
    expect(await cancelThrough(served, browser, 'long')).toBe(200);
  });

  it('refuses every other origin and Host with publicOrigin set: another site, http instead of https, another port, a rebound name', async () => {
    const served = await start(true, (port) => ({ publicOrigin: `https://sched.example.test:${port}` }));
    const host = `sched.example.test:${served.port}`;
    for (const origin of ['https://evil.example', `http://sched.example.test:${served.port}`, 'https://sched.example.test', `https://sched.example.test.evil.example:${served.port}`, 'null']) {
      expect(await openFeedThrough(served, { host, origin }, sockets), origin).toBe(403);
      expect(await cancelThrough(served, { host, origin }, 'long'), origin).toBe(403);
    }
    // A DNS-rebinding page: its own name as Host and Origin.
    const rebound = { host: `evil.example:${served.port}`, origin: `https://evil.example:${served.port}` };
    expect(await openFeedThrough(served, rebound, sockets)).toBe(403);
    expect(await cancelThrough(served, rebound, 'long')).toBe(403);
    expect(scheduler?.getTaskStatus('long')).toBe('running');
  });

  it('refuses the https origin without publicOrigin or trustProxy (the guard does not guess)', async () => {
    const served = await start(true, () => ({}));
    const browser = { host: `localhost:${served.port}`, origin: `https://localhost:${served.port}` };
    expect(await openFeedThrough(served, browser, sockets)).toBe(403);
    expect(await cancelThrough(served, browser, 'long')).toBe(403);
  });

  it('with trustProxy takes the scheme from the forwarded headers, with the Host unchanged, and refuses other origins', async () => {
    const served = await start(true, () => ({ trustProxy: true }));
    const browser = { host: `localhost:${served.port}`, origin: `https://localhost:${served.port}` };
    expect(await openFeedThrough(served, browser, sockets)).toBe('snapshot');
    for (const origin of ['https://evil.example', `http://localhost:${served.port}`, `https://localhost:1`]) {
      expect(await openFeedThrough(served, { host: browser.host, origin }, sockets), origin).toBe(403);
      expect(await cancelThrough(served, { host: browser.host, origin }, 'long'), origin).toBe(403);
    }
    expect(await cancelThrough(served, browser, 'long')).toBe(200);
  });
});
