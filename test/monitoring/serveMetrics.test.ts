import { request as httpRequest } from 'node:http';
import { createServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import { serveMetrics } from '../../src/monitoring/serveMetrics.js';
import { MonitoringOptionsError } from '../../src/monitoring/MonitoringOptionsError.js';
import { manualWork, simulatedScheduler } from '../support/harness.js';
import { promtoolCheck, sample } from '../support/prometheusText.js';
import { skipWithout } from '../support/requireTool.js';

/** GETs `url` with the given Host header, as a browser on a rebound name or a scraper sends it; resolves with the status. */
function statusWithHost(url: string, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const request = httpRequest(url, { headers: { host } }, (response) => {
      response.resume();
      response.on('end', () => resolve(response.statusCode ?? 0));
    });
    request.on('error', reject);
    request.end();
  });
}

describe('serveMetrics', () => {
  it('serves the metrics of a run in the Prometheus text format, live, until closed', async (context) => {
    const { scheduler, advance } = simulatedScheduler({ maxWorkers: 2, resources: { cpu: 4 }, defaultRetry: { attempts: 1 } });
    const metrics = await serveMetrics(scheduler, { port: 0, policy: 'fifo' });
    expect(metrics.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/metrics$/);
    const work = manualWork();
    scheduler.scheduleTasks([
      { id: 'a', resources: { cpu: 3 }, run: work.run },
      { id: 'b', run: () => Promise.reject(new Error('no')) },
      { id: 'c', dependencies: ['b'], run: () => 'c' },
      { id: 'd', dependencies: ['a'], run: () => 'd' },
    ]);
    await advance(0);
    const during = await fetch(metrics.url);
    expect(during.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
    const page = await during.text();
    expect(sample(page, 'xeno_scheduler_tasks_running', { scheduler_policy: 'fifo' })).toBe(1);
    expect(sample(page, 'xeno_scheduler_tasks_pending')).toBe(1);
    expect(sample(page, 'xeno_scheduler_pool_used', { resource_pool: 'cpu' })).toBe(3);
    expect(sample(page, 'xeno_scheduler_pool_capacity', { resource_pool: 'cpu' })).toBe(4);
    expect(sample(page, 'xeno_scheduler_tasks_finished_total', { task_status: 'failed' })).toBe(2);
    expect(sample(page, 'xeno_scheduler_task_wait_duration_count')).toBe(2);
    work.resolve('a');
    await scheduler.onIdle();
    const after = await (await fetch(metrics.url)).text();
    expect(sample(after, 'xeno_scheduler_tasks_finished_total', { task_status: 'completed' })).toBe(2);
    expect(sample(after, 'xeno_scheduler_task_run_duration_count', { task_status: 'completed' })).toBe(2);
    expect((await fetch(new URL('/other', metrics.url))).status).toBe(404);
    await metrics.close();
    await expect(fetch(metrics.url)).rejects.toThrow();
    await scheduler.stop();
    const promtool = skipWithout(context, 'promtool');
    for (const text of [page, after]) expect(promtoolCheck(promtool, text)).toEqual({ status: 0, output: '' });
  });

  it('checks pages with a promtool that does reject a malformed one', (context) => {
    const promtool = skipWithout(context, 'promtool');
    expect(promtoolCheck(promtool, '# TYPE broken counter\nbroken{ 1\n').status).not.toBe(0);
  });

  it.each([
    [{ port: 70_000 }, 'serveMetrics: option "port": expected a whole number from 0 to 65535, received 70000 (number)'],
    [{ port: 1.5 }, 'serveMetrics: option "port": expected a whole number from 0 to 65535, received 1.5 (number)'],
    [{ port: '9464' }, 'serveMetrics: option "port": expected a whole number from 0 to 65535, received "9464" (string)'],
    [{ host: '' }, 'serveMetrics: option "host": expected a host name or address, received "" (string)'],
    [{ path: 'metrics' }, 'serveMetrics: option "path": expected a path starting with "/", received "metrics" (string)'],
    [{ allowedHosts: 'sched-1' }, 'serveMetrics: option "allowedHosts": expected a list of host names without ports, e.g. ["sched-1.internal"], received "sched-1" (string)'],
  ])('refuses bad options, naming the option, what was expected and what was found: %j', async (options, message) => {
    const { scheduler } = simulatedScheduler();
    const error = await serveMetrics(scheduler, options as never).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(MonitoringOptionsError);
    expect((error as Error).message).toBe(message);
    expect(scheduler.events.all.size).toBe(0);
  });

  it('says which port is taken, and leaves no listener behind', async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const port = (blocker.address() as { port: number }).port;
    const { scheduler } = simulatedScheduler();
    try {
      await expect(serveMetrics(scheduler, { port })).rejects.toThrow(`serveMetrics: option "port": expected a port free to listen on at 127.0.0.1, received ${port} (EADDRINUSE)`);
      expect([...scheduler.events.all.values()].every((handlers) => handlers.length === 0)).toBe(true);
    } finally {
      blocker.close();
    }
  });

  it('refuses a Host header naming another machine (DNS rebinding) and answers loopback names, IP addresses and allowedHosts', async () => {
    const { scheduler } = simulatedScheduler();
    const metrics = await serveMetrics(scheduler, { port: 0, allowedHosts: ['Sched-1.internal'] });
    const port = new URL(metrics.url).port;
    try {
      for (const host of [`evil.example:${port}`, 'evil.example', `sched-1.internal.evil.example:${port}`, `127.0.0.1.evil.example:${port}`]) {
        expect(await statusWithHost(metrics.url, host), host).toBe(403);
      }
      for (const host of [`127.0.0.1:${port}`, `localhost:${port}`, `LOCALHOST:${port}`, `[::1]:${port}`, `10.1.2.3:${port}`, `[fd00::1]:${port}`, `sched-1.internal:${port}`, `SCHED-1.internal:${port}`]) {
        expect(await statusWithHost(metrics.url, host), host).toBe(200);
      }
    } finally {
      await metrics.close();
      await scheduler.stop();
    }
  });
});
