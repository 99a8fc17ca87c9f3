import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';

/** A TLS-terminating reverse proxy on 127.0.0.1, as an operator puts in front of the dashboard. */
export interface TlsProxy {
  /** The port it serves HTTPS (and WebSocket upgrades) on. */
  readonly port: number;
  /** Its self-signed certificate (PEM), valid for 127.0.0.1, localhost, `sched.example.test` and `evil.example` (a DNS-rebinding page's name, so its requests get through TLS to the guard). */
  readonly cert: string;
  close(): Promise<void>;
}

/**
 * How the proxy forwards: `keepHost` passes the client's Host on (Caddy's default, nginx's
 * `proxy_set_header Host $host`), else sends the upstream's own (nginx's default); it always adds
 * `X-Forwarded-Proto: https` and `Forwarded: proto=https`, as proxies are configured to.
 */
export interface TlsProxyOptions {
  readonly upstreamPort: () => number;
  readonly keepHost: boolean;
}

/** A fresh self-signed key and certificate, made by `openssl` in a temporary folder. */
function selfSigned(): { key: string; cert: string } {
  const folder = mkdtempSync(join(tmpdir(), 'xeno-tls-'));
  try {
    execFileSync('openssl', [
      'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=sched.example.test',
      '-addext', 'subjectAltName=DNS:sched.example.test,DNS:localhost,IP:127.0.0.1,DNS:evil.example',
      '-keyout', join(folder, 'key.pem'), '-out', join(folder, 'cert.pem'),
    ], { stdio: 'ignore' });
    return { key: readFileSync(join(folder, 'key.pem'), 'utf8'), cert: readFileSync(join(folder, 'cert.pem'), 'utf8') };
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
}

function forwardedHeaders(headers: IncomingHttpHeaders, options: TlsProxyOptions): IncomingHttpHeaders {
  return { ...headers, ...(options.keepHost ? {} : { host: `127.0.0.1:${options.upstreamPort()}` }), 'x-forwarded-proto': 'https', forwarded: 'for=127.0.0.1;proto=https' };
}

/**
 * Starts a TLS-terminating proxy to `http://127.0.0.1:<upstreamPort>`: requests are forwarded
 * with their method, path, headers and body; WebSocket upgrades are forwarded as a raw byte pipe
 * after the rewritten request head.
 *
 * @example
 * const proxy = await startTlsProxy({ upstreamPort: () => port, keepHost: true });
 */
export async function startTlsProxy(options: TlsProxyOptions): Promise<TlsProxy> {
  const { key, cert } = selfSigned();
  const server = createHttpsServer({ key, cert }, (request, response) => {
    const upstream = httpRequest({ host: '127.0.0.1', port: options.upstreamPort(), method: request.method, path: request.url, headers: forwardedHeaders(request.headers, options) }, (reply) => {
      response.writeHead(reply.statusCode ?? 502, reply.headers);
      reply.pipe(response);
    });
    upstream.on('error', () => response.writeHead(502).end());
    request.pipe(upstream);
  });
  server.on('upgrade', (request, socket, head) => {
    const upstream = connect(options.upstreamPort(), '127.0.0.1', () => {
      const headers = forwardedHeaders(request.headers, options);
      const lines = Object.entries(headers).flatMap(([name, value]) => (Array.isArray(value) ? value : [value]).map((one) => `${name}: ${one}`));
      upstream.write(`${request.method} ${request.url} HTTP/1.1\r\n${lines.join('\r\n')}\r\n\r\n`);
      upstream.write(head);
      upstream.pipe(socket);
      socket.pipe(upstream);
    });
    upstream.on('error', () => socket.destroy());
    socket.on('error', () => upstream.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  return {
    port: (server.address() as AddressInfo).port,
    cert,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
