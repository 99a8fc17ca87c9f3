import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { hostnameOf } from '../http/hostnameOf.js';
import { isLoopbackHost } from '../http/isLoopbackHost.js';

/** Why a request is refused. */
export interface Refusal {
  readonly status: 401 | 403;
  readonly message: string;
}

/** Options of {@link createRequestGuard}. */
export interface RequestGuardOptions {
  /** The shared secret, when one is in use. */
  readonly token: string | undefined;
  /** True when the server listens on a loopback address only. */
  readonly isLoopback: boolean;
  /** The port listened on: names the cookie, so two dashboards on one host do not clash. */
  readonly port: number;
  /**
   * The origin a reverse proxy serves the dashboard at (`https://sched.example.org`), already
   * normalized: accepted as an `Origin`, and its host as a `Host` on a loopback bind.
   */
  readonly publicOrigin?: string | undefined;
  /** Take the scheme of the dashboard's own origin from `Forwarded: proto=` or `X-Forwarded-Proto`. */
  readonly trustProxy?: boolean | undefined;
}

/** Decides who may talk to the dashboard. */
export interface RequestGuard {
  /**
   * Undefined when the request may proceed, else why not. `isWrite` marks requests that act (POST)
   * or open the live feed (WebSocket upgrade): they must also come from the dashboard's own origin.
   */
  check(request: IncomingMessage, isWrite: boolean): Refusal | undefined;
  /** The `Set-Cookie` value that lets the page's later requests carry the token, if one is in use. */
  readonly cookie: string | undefined;
}

const digest = (value: string): Buffer => createHash('sha256').update(value).digest();

function cookieValue(header: string | undefined, name: string): string | undefined {
  for (const part of (header ?? '').split(';')) {
    const [key, ...rest] = part.trim().split('=');
    if (key === name) return decodeURIComponent(rest.join('='));
  }
  return undefined;
}

function carriedToken(request: IncomingMessage, cookieName: string): string | undefined {
  const query = new URL(request.url ?? '/', 'http://dashboard.invalid').searchParams.get('token');
  if (query !== null) return query;
  const authorization = request.headers.authorization;
  if (authorization?.startsWith('Bearer ')) return authorization.slice('Bearer '.length);
  return cookieValue(request.headers.cookie, cookieName);
}

function firstValue(header: string | string[] | undefined): string | undefined {
  const value = Array.isArray(header) ? header[0] : header;
  return value?.split(',')[0]?.trim();
}

/**
 * The scheme the proxy in front received the request on: `proto` of the first element of
 * `Forwarded` (RFC 7239), else the first value of `X-Forwarded-Proto`; only `http` or `https`.
 */
function forwardedScheme(request: IncomingMessage): string | undefined {
  const forwarded = firstValue(request.headers.forwarded);
  const fromForwarded = forwarded
    ?.split(';')
    .map((pair) => pair.trim().split('='))
    .find(([key]) => key?.toLowerCase() === 'proto')?.[1]
    ?.replace(/^"(.*)"$/, '$1');
  const scheme = (fromForwarded ?? firstValue(request.headers['x-forwarded-proto']))?.toLowerCase();
  return scheme === 'http' || scheme === 'https' ? scheme : undefined;
}

/**
 * The dashboard's security checks, in order: on a loopback bind, the `Host` header must name a
 * loopback host or the host of `publicOrigin` (defeats DNS rebinding); with a token, every request
 * must carry it (query `token`, `Authorization: Bearer`, or the cookie set on first load),
 * compared in constant time; writes and WebSocket upgrades with an `Origin` must come from the
 * dashboard's own origin (defeats cross-site requests from other pages in the same browser). Its
 * own origin is `publicOrigin` when one is given, and, unless the Host is the public one,
 * `http://` + Host (with `trustProxy`, the scheme the proxy forwarded + Host); the Host header
 * itself is never taken from a forwarded one.
 *
 * @example
 * const guard = createRequestGuard({ token, isLoopback: true, port: 8080 });
 * const refusal = guard.check(request, request.method === 'POST');
 */
export function createRequestGuard(options: RequestGuardOptions): RequestGuard {
  const cookieName = `xeno_dashboard_${options.port}`;
  const expected = options.token === undefined ? undefined : digest(options.token);
  const publicHost = options.publicOrigin === undefined ? undefined : new URL(options.publicOrigin).host;
  // Under the public Host only the public origin counts: a plain-http page of that name is not the dashboard's.
  const ownOrigins = (request: IncomingMessage, host: string): string[] => {
    if (options.publicOrigin !== undefined && host.toLowerCase() === publicHost) return [options.publicOrigin];
    const scheme = options.trustProxy === true ? (forwardedScheme(request) ?? 'http') : 'http';
    return [`${scheme}://${host.toLowerCase()}`, ...(options.publicOrigin === undefined ? [] : [options.publicOrigin])];
  };
  return {
    cookie: options.token === undefined ? undefined : `${cookieName}=${encodeURIComponent(options.token)}; HttpOnly; SameSite=Strict; Path=/`,
    check(request, isWrite) {
      const host = request.headers.host ?? '';
      if (options.isLoopback && !isLoopbackHost(hostnameOf(host)) && host.toLowerCase() !== publicHost) {
        return { status: 403, message: `expected a loopback Host header${publicHost === undefined ? '' : ` or ${publicHost}`}, received ${JSON.stringify(host)}` };
      }
      if (expected !== undefined) {
        const carried = carriedToken(request, cookieName);
        if (carried === undefined || !timingSafeEqual(digest(carried), expected)) {
          return { status: 401, message: 'a valid token is required (query "token" or "Authorization: Bearer")' };
        }
      }
      const origin = request.headers.origin;
      if (isWrite && origin !== undefined) {
        const own = ownOrigins(request, host);
        if (!own.includes(origin.toLowerCase())) return { status: 403, message: `expected requests from ${own.join(' or ')}, received Origin ${JSON.stringify(origin)}` };
      }
      return undefined;
    },
  };
}
