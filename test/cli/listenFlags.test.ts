import { existsSync, mkdtempSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { freePort } from '../support/freePort.js';
import { startCli } from './runCli.js';
import { runMain } from './runMain.js';

const tmp = mkdtempSync(join(tmpdir(), 'xeno-cli-listen-'));
const WORKLOAD = 'test/fixtures/cli/one-task.yaml';

let busy: Server;
let busyPort = 0;
beforeAll(async () => {
  busy = createServer();
  await new Promise<void>((resolve) => busy.listen(0, '127.0.0.1', resolve));
  busyPort = (busy.address() as { port: number }).port;
});
afterAll(() => new Promise<void>((resolve) => busy.close(() => resolve())));

describe('xeno-scheduler run: the dashboard and metrics flags', () => {
  it.each([
    ['--dashboard --port', (port: number) => ['--dashboard', '--port', String(port)], '--port'],
    ['--metrics-port', (port: number) => ['--metrics-port', String(port)], '--metrics-port'],
  ])('%s on a busy port exits 2 naming the flag, before a task runs or the --state store is created', async (_, flagsOf, flag) => {
    const state = join(tmp, `${flag.slice(2)}.db`);
    const { code, stdout, stderr } = await runMain(['run', WORKLOAD, '--state', state, ...flagsOf(busyPort)]);
    expect(stderr).toBe(`error: <command line>: ${flag}: expected a port free to listen on at 127.0.0.1, found ${busyPort} (EADDRINUSE)\n`);
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(existsSync(state)).toBe(false);
  });

  it.each([
    [['--dashboard', '--port', '70000'], /^error: <command line>: --port: expected a port, a whole number from 0 to 65535, found "70000"/m],
    [['--dashboard', '--token', 'short'], /^error: <command line>: --token: expected a string of at least 16 characters, found 5 characters$/m],
    [['--dashboard', '--host', '0.0.0.0'], /^error: <command line>: --token: expected a token when binding the non-loopback host "0\.0\.0\.0", found none/m],
    [['--dashboard', '--public-origin', 'https://sched.example.org/dash'], /^error: <command line>: --public-origin: expected an origin such as "https:\/\/sched\.example\.org" \(http or https, a host, an optional port, no path\), found "https:\/\/sched\.example\.org\/dash"$/m],
    [['--metrics-port', '0', '--metrics-allowed-hosts', 'sched-1:9464'], /^error: <command line>: --metrics-allowed-hosts: expected a list of host names without ports, e\.g\. \["sched-1\.internal"\], found "sched-1:9464" \(string\) at index 0$/m],
  ])('names the CLI flag, not the API option: %j', async (flags, message) => {
    const { code, stdout, stderr } = await runMain(['run', WORKLOAD, ...flags]);
    expect(stderr).toMatch(message);
    expect(stderr).not.toMatch(/startDashboard|serveMetrics/);
    expect(code).toBe(2);
    expect(stdout).toBe('');
  });

  it.each([
    [['--fresh'], '--fresh', '--state <file>'],
    [['--port', '5'], '--port', '--dashboard (or --keep-open without --metrics-port)'],
    [['--token', 'short'], '--token', '--dashboard (or --keep-open without --metrics-port)'],
    [['--host', '0.0.0.0'], '--host', '--dashboard (or --keep-open without --metrics-port)'],
    [['--keep-open', '--metrics-port', '0', '--port', '5'], '--port', '--dashboard (or --keep-open without --metrics-port)'],
    [['--metrics-host', '8.8.8.8'], '--metrics-host', '--metrics-port <port>'],
    [['--metrics-allowed-hosts', 'sched-1'], '--metrics-allowed-hosts', '--metrics-port <port>'],
    [['--public-origin', 'https://sched.example.org'], '--public-origin', '--dashboard (or --keep-open without --metrics-port)'],
    [['--trust-proxy'], '--trust-proxy', '--dashboard (or --keep-open without --metrics-port)'],
  ])('refuses %j, a flag that does nothing without its partner, naming both', async (flags, flag, partner) => {
    const { code, stdout, stderr } = await runMain(['run', WORKLOAD, ...flags]);
    expect(stderr).toBe(`error: <command line>: ${flag}: expected ${flag} together with ${partner}, which it applies to, found ${flag} without it\n`);
    expect(code).toBe(2);
    expect(stdout).toBe('');
  });

  it('passes --public-origin to the dashboard and --metrics-allowed-hosts to the metrics endpoint: those names get in, others get 403', async () => {
    const [port, metricsPort] = [await freePort(), await freePort()];
    const cli = startCli(['run', WORKLOAD, '--dashboard', '--port', String(port), '--public-origin', 'https://sched.example.test', '--metrics-port', String(metricsPort), '--metrics-allowed-hosts', 'sched-1.internal', '--keep-open', '--quiet']);
    try {
      await new Promise<void>((resolve, reject) => {
        const check = () => (cli.stdout().includes('press Ctrl-C') ? resolve() : undefined);
        cli.child.stdout.on('data', check);
        cli.result.then(() => reject(new Error(`ended early:\n${cli.stdout()}\n${cli.stderr()}`)), reject);
        check();
      });
      const feed = (origin: string): Promise<string | number> =>
        new Promise((resolve, reject) => {
          const socket = new WebSocket(`ws://127.0.0.1:${port}/ws`, { origin, headers: { host: 'sched.example.test' } });
          socket.once('message', () => {
            socket.terminate();
            resolve('snapshot');
          });
          socket.once('unexpected-response', (_request, response) => resolve(response.statusCode ?? 0));
          socket.once('error', reject);
        });
      expect(await feed('https://sched.example.test')).toBe('snapshot');
      expect(await feed('https://evil.example')).toBe(403);
      const scrape = (host: string): Promise<number> =>
        new Promise((resolve, reject) => {
          const request = httpRequest(`http://127.0.0.1:${metricsPort}/metrics`, { headers: { host } }, (response) => {
            response.resume();
            response.on('end', () => resolve(response.statusCode ?? 0));
          });
          request.on('error', reject);
          request.end();
        });
      expect(await scrape(`sched-1.internal:${metricsPort}`)).toBe(200);
      expect(await scrape(`evil.example:${metricsPort}`)).toBe(403);
    } finally {
      cli.child.kill('SIGINT');
      await cli.result;
    }
  });
});
