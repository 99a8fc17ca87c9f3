import { DashboardOptionsError } from './DashboardOptionsError.js';
import { isLoopbackHost } from '../http/isLoopbackHost.js';
import type { NodeView } from './protocol.js';

/** Options of {@link startDashboard}. */
export interface DashboardOptions {
  /**
   * TCP port to listen on; `0` picks a free one (read it from the returned `url`).
   * @default 0
   */
  port?: number;
  /**
   * Interface to bind. Anything but a loopback address (`127.0.0.1`, `::1`, `localhost`) needs a
   * `token`.
   * @default '127.0.0.1'
   */
  host?: string;
  /**
   * Shared secret every HTTP request and WebSocket must carry (`?token=`, an
   * `Authorization: Bearer` header, or the cookie the page gets on its first load). At least 16
   * characters, e.g. `randomBytes(24).toString('base64url')`. Required for a non-loopback host.
   * @default undefined (no token: loopback only)
   */
  token?: string;
  /**
   * Shortest time between two pushes to the page, in ms: changes in between are coalesced into one
   * message, so a burst of thousands of transitions costs one update.
   * @default 100
   */
  throttleMs?: number;
  /**
   * Hide the cancel and priority buttons and disable their endpoints.
   * @default false
   */
  readOnly?: boolean;
  /**
   * The time used to stamp transitions and Gantt runs, in ms. Pass your scheduler's clock when it
   * is not the real one.
   * @default Date.now
   */
  now?: () => number;
  /**
   * How many ready tasks the page shows from the head of the queue.
   * @default 20
   */
  queueLimit?: number;
  /**
   * The nodes of a distributed run, read when a page connects and about once a second after:
   * pass `() => executor.nodes()` of a `bullmqExecutor` (or any function returning that shape)
   * and the page lists each node (up or down, workers, placed and running attempts, resources);
   * the node each attempt ran on comes from the scheduler's `task:placed` events either way.
   * @default undefined (no nodes panel)
   */
  nodes?: () => readonly NodeView[];
  /**
   * The origin a reverse proxy serves the dashboard at, e.g. `'https://sched.example.org'`
   * (scheme `http` or `https`, host, and a port if not the scheme's default; no path). The page's
   * WebSocket and buttons send it as their `Origin`, so it is accepted besides `http://` + Host,
   * and on a loopback bind its host is accepted as the `Host` header (a proxy that passes the
   * client's `Host` on). No other origin is.
   * @default undefined (only the dashboard's own `http://` origin)
   */
  publicOrigin?: string;
  /**
   * Trust the scheme a proxy forwards (`Forwarded: proto=https` or `X-Forwarded-Proto: https`):
   * the dashboard's own origin is then that scheme + the `Host` header. Only set it when every
   * request reaches the dashboard through a proxy that sets (or strips) those headers; the
   * `Host` check is unchanged. `publicOrigin` needs no trust and is the simpler choice.
   * @default false
   */
  trustProxy?: boolean;
}

/** {@link DashboardOptions} checked and completed with their defaults. */
export interface ResolvedDashboardOptions {
  readonly port: number;
  readonly host: string;
  readonly token: string | undefined;
  readonly throttleMs: number;
  readonly now: () => number;
  readonly queueLimit: number;
  readonly nodes: (() => readonly NodeView[]) | undefined;
  /** Whether the cancel and priority endpoints exist. */
  readonly canControl: boolean;
  readonly isLoopback: boolean;
  /** `publicOrigin` normalized (`new URL(...).origin`), if given. */
  readonly publicOrigin: string | undefined;
  readonly trustProxy: boolean;
}

const MIN_TOKEN_LENGTH = 16;

function describeValue(value: unknown): string {
  return typeof value === 'string' ? JSON.stringify(value) : String(value);
}

function checkInteger(field: string, value: number, min: number, max: number): number {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new DashboardOptionsError(field, `an integer from ${min} to ${max}`, describeValue(value));
  }
  return value;
}

function checkBoolean(field: string, value: unknown): boolean {
  if (value === undefined || typeof value === 'boolean') return value === true;
  throw new DashboardOptionsError(field, 'true or false', describeValue(value));
}

function checkNodes(nodes: unknown): (() => readonly NodeView[]) | undefined {
  if (nodes === undefined || typeof nodes === 'function') return nodes as (() => readonly NodeView[]) | undefined;
  throw new DashboardOptionsError('nodes', 'a function returning the nodes, e.g. () => executor.nodes()', describeValue(nodes));
}

function checkPublicOrigin(value: unknown): string | undefined {
  if (value === undefined) return undefined;
  const expected = 'an origin such as "https://sched.example.org" (http or https, a host, an optional port, no path)';
  let url: URL | undefined;
  try {
    url = typeof value === 'string' ? new URL(value) : undefined;
  } catch {
    url = undefined;
  }
  const bare = url !== undefined && (url.protocol === 'http:' || url.protocol === 'https:') && url.username === '' && url.password === '' && url.pathname === '/' && url.search === '' && url.hash === '';
  if (url === undefined || !bare || !/^https?:\/\/[^/?#]+\/?$/i.test(String(value))) throw new DashboardOptionsError('publicOrigin', expected, describeValue(value));
  return url.origin;
}

/**
 * Checks {@link DashboardOptions} and fills in defaults. Throws a {@link DashboardOptionsError}
 * naming the field for bad values, and when a non-loopback host comes without a token.
 *
 * @example
 * resolveDashboardOptions({ host: '0.0.0.0' }); // throws: a token is required
 */
export function resolveDashboardOptions(options: DashboardOptions = {}): ResolvedDashboardOptions {
  const host = options.host ?? '127.0.0.1';
  if (typeof host !== 'string' || host.trim() === '') {
    throw new DashboardOptionsError('host', 'a host name or IP address', describeValue(host));
  }
  const token = options.token;
  if (token !== undefined && (typeof token !== 'string' || token.length < MIN_TOKEN_LENGTH)) {
    throw new DashboardOptionsError('token', `a string of at least ${MIN_TOKEN_LENGTH} characters`, typeof token === 'string' ? `${token.length} characters` : describeValue(token));
  }
  const isLoopback = isLoopbackHost(host);
  if (!isLoopback && token === undefined) {
    throw new DashboardOptionsError('token', `a token when binding the non-loopback host ${describeValue(host)}`, 'none', 'every request must then carry it; or bind 127.0.0.1');
  }
  return {
    port: checkInteger('port', options.port ?? 0, 0, 65535),
    host,
    token,
    throttleMs: checkInteger('throttleMs', options.throttleMs ?? 100, 0, 60_000),
    now: options.now ?? Date.now,
    queueLimit: checkInteger('queueLimit', options.queueLimit ?? 20, 1, 1000),
    nodes: checkNodes(options.nodes),
    canControl: options.readOnly !== true && (token !== undefined || isLoopback),
    isLoopback,
    publicOrigin: checkPublicOrigin(options.publicOrigin),
    trustProxy: checkBoolean('trustProxy', options.trustProxy),
  };
}
