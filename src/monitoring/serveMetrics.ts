import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { isIP, type AddressInfo } from 'node:net';
import { describeValue } from '../internal/describeValue.js';
import type { Scheduler } from '../core/scheduler.js';
import { instrumentScheduler } from './instrumentScheduler.js';
import { MonitoringOptionsError } from './MonitoringOptionsError.js';
import { listenServer, type ListenFailure } from '../http/listenServer.js';
import { hostnameOf } from '../http/hostnameOf.js';
import { isLoopbackHost } from '../http/isLoopbackHost.js';
import { loadOptionalPackage } from '../optionalPackages/loadOptionalPackage.js';

/** Optional peer dependencies of xeno-scheduler, loaded only when an endpoint is served. */
const PROMETHEUS_PACKAGES = ['@opentelemetry/sdk-metrics', '@opentelemetry/exporter-prometheus'];

/** Options of {@link serveMetrics}. */
export interface ServeMetricsOptions {
  /** TCP port; `0` picks a free one (read it from the returned `url`). @default 9464 (Prometheus' registered port for OpenTelemetry) */
  readonly port?: number;
  /** Interface to bind; `0.0.0.0` lets a Prometheus on another machine scrape. @default '127.0.0.1' */
  readonly host?: string;
  /**
   * Host names a scraper may use in its `Host` header, besides loopback names, IP addresses and
   * `host` itself: the name Prometheus scrapes this machine by (`targets: ['sched-1:9464']`).
   * Any other name is refused with 403, so a web page whose name was rebound to this machine's
   * address (DNS rebinding) cannot read the metrics. @default []
   */
  readonly allowedHosts?: readonly string[];
  /** Path of the metrics page. @default '/metrics' */
  readonly path?: string;
  /** The scheduler's policy name, attribute `scheduler.policy` (label `scheduler_policy`). @default none */
  readonly policy?: string;
  /** The node this scheduler runs on, attribute `scheduler.node`. @default none */
  readonly node?: string;
  /** The scheduler's clock in ms, when it is not the real one. @default Date.now */
  readonly now?: () => number;
}

/** A running metrics endpoint: what {@link serveMetrics} returns. */
export interface MetricsEndpoint {
  /** Where Prometheus scrapes, e.g. `http://127.0.0.1:9464/metrics`. */
  readonly url: string;
  /** Stops serving and lets go of the scheduler's events. */
  close(): Promise<void>;
}

const ORIGIN = 'serveMetrics';
/** The exposition format Prometheus asks for and this page is in. */
const CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

/**
 * Checks the `allowedHosts` option of {@link serveMetrics}: a list of host names without ports,
 * returned lower-cased as a set.
 *
 * @throws MonitoringOptionsError naming `allowedHosts`
 * @example
 * checkAllowedHosts(['Sched-1.internal']); // Set { 'sched-1.internal' }
 */
export function checkAllowedHosts(value: unknown): ReadonlySet<string> {
  if (value === undefined) return new Set();
  const isName = (name: unknown): name is string => typeof name === 'string' && /^[a-z0-9.-]+$/i.test(name);
  const expected = 'a list of host names without ports, e.g. ["sched-1.internal"]';
  if (!Array.isArray(value)) throw new MonitoringOptionsError(ORIGIN, 'allowedHosts', expected, describeValue(value));
  const bad = value.findIndex((name) => !isName(name));
  if (bad !== -1) throw new MonitoringOptionsError(ORIGIN, 'allowedHosts', expected, `${describeValue(value[bad])} at index ${bad}`);
  return new Set(value.map((name) => name.toLowerCase()));
}

/**
 * Whether a `Host` header may be answered: a loopback name, an IP address (a page cannot rebind a
 * name it does not own to one), the bound host, or an allowed name.
 */
function isServedHost(hostHeader: string | undefined, bound: string, allowed: ReadonlySet<string>): boolean {
  const hostname = hostnameOf(hostHeader ?? '');
  const bare = hostname.replace(/^\[(.*)\]$/, '$1');
  return hostname !== '' && (isLoopbackHost(hostname) || isIP(bare) !== 0 || bare === bound.toLowerCase() || allowed.has(bare));
}

function checkOptions(options: ServeMetricsOptions): { port: number; host: string; path: string; allowedHosts: ReadonlySet<string> } {
  const port = options.port ?? 9464;
  if (typeof port !== 'number' || !Number.isInteger(port) || port < 0 || port > 65535) {
    throw new MonitoringOptionsError(ORIGIN, 'port', 'a whole number from 0 to 65535', describeValue(port));
  }
  const host = options.host ?? '127.0.0.1';
  if (typeof host !== 'string' || host === '') throw new MonitoringOptionsError(ORIGIN, 'host', 'a host name or address', describeValue(host));
  const path = options.path ?? '/metrics';
  if (typeof path !== 'string' || !path.startsWith('/')) throw new MonitoringOptionsError(ORIGIN, 'path', 'a path starting with "/"', describeValue(path));
  return { port, host, path, allowedHosts: checkAllowedHosts(options.allowedHosts) };
}

/**
 * Serves a scheduler's metrics (see {@link MetricNames}) in the Prometheus text format until
 * `close()`: the one-call way for an app, and what `xeno-scheduler run --metrics-port` uses. It
 * loads the OpenTelemetry metrics SDK and its Prometheus exporter only when called, with a
 * MeterProvider of its own (the global one is left alone); traces are not involved.
 *
 * A request whose `Host` header is not a loopback name, an IP address, `host` or one of
 * `allowedHosts` gets 403: the endpoint answers no name a DNS-rebinding page could use.
 *
 * @throws MonitoringOptionsError for a bad `port`, `host`, `path` or `allowedHosts`, or a port already in use
 * @throws MissingPackageError when @opentelemetry/sdk-metrics or @opentelemetry/exporter-prometheus is not installed
 * @example
 * import { serveMetrics } from 'xeno-scheduler/monitoring';
 * const metrics = await serveMetrics(scheduler, { port: 9464, policy: 'critical-path' });
 * console.log(`scrape ${metrics.url}`);
 * await scheduler.onIdle();
 * await metrics.close();
 */
export async function serveMetrics(scheduler: Scheduler, options: ServeMetricsOptions = {}): Promise<MetricsEndpoint> {
  const { port, host, path, allowedHosts } = checkOptions(options);
  const [{ MeterProvider }, { PrometheusExporter }] = await loadOptionalPackage(PROMETHEUS_PACKAGES, 'the metrics endpoint (serveMetrics, --metrics-port)', () =>
    Promise.all([import('@opentelemetry/sdk-metrics'), import('@opentelemetry/exporter-prometheus')]),
  );
  // The exporter's own server cannot take port 0 and reports a busy port only to its logger: serve its handler from ours.
  const exporter = new PrometheusExporter({ preventServerStart: true });
  const meterProvider = new MeterProvider({ readers: [exporter] });
  const instrumentation = instrumentScheduler(scheduler, {
    meterProvider,
    traces: false,
    ...(options.policy === undefined ? {} : { policy: options.policy }),
    ...(options.node === undefined ? {} : { node: options.node }),
    ...(options.now === undefined ? {} : { now: options.now }),
  });
  const server = createServer((request: IncomingMessage, response: ServerResponse) => {
    if (!isServedHost(request.headers.host, host, allowedHosts)) {
      const expected = `a loopback name, an IP address${allowedHosts.size === 0 ? '' : ` or one of ${[...allowedHosts].join(', ')}`} (option allowedHosts)`;
      response.writeHead(403, { 'content-type': 'text/plain' }).end(`expected a Host header naming this machine: ${expected}; received ${JSON.stringify(request.headers.host ?? '')}\n`);
      return;
    }
    const pathname = new URL(request.url ?? '/', 'http://localhost').pathname;
    if (pathname !== path) {
      response.writeHead(404, { 'content-type': 'text/plain' }).end(`not found: metrics are at ${path}\n`);
      return;
    }
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      response.writeHead(405, { allow: 'GET, HEAD' }).end();
      return;
    }
    exporter.getMetricsRequestHandler(request, response);
    // Set after the handler's own plain `text/plain`; the body is written once collection ends.
    response.setHeader('content-type', CONTENT_TYPE);
  });
  const shutdown = async (): Promise<void> => {
    instrumentation.stop();
    await meterProvider.shutdown();
  };
  try {
    await listenServer(server, port, host);
  } catch (failure) {
    await shutdown();
    const { field, code } = failure as ListenFailure;
    if (field === 'port') throw new MonitoringOptionsError(ORIGIN, 'port', `a port free to listen on at ${host}`, `${port} (${code})`);
    throw new MonitoringOptionsError(ORIGIN, 'host', 'an address of this machine', `${host} (${code})`);
  }
  const bound = (server.address() as AddressInfo).port;
  const shown = host.includes(':') ? `[${host}]` : host;
  let closing: Promise<void> | undefined;
  return {
    url: `http://${shown}:${bound}${path}`,
    close: () =>
      (closing ??= (async () => {
        await new Promise<void>((resolve) => {
          server.close(() => resolve());
          server.closeAllConnections();
        });
        await shutdown();
      })()),
  };
}
