import type { ServerResponse } from 'node:http';

/**
 * Headers on every dashboard response: no caching, no sniffing, no framing, no referrer (the URL
 * may carry the token), and a policy that lets the page load only its own assets.
 */
export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'Cache-Control': 'no-store',
  'X-Content-Type-Options': 'nosniff',
  'X-Frame-Options': 'DENY',
  'Referrer-Policy': 'no-referrer',
  'Content-Security-Policy': "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
};

/**
 * Ends a response with a JSON body and the dashboard's {@link SECURITY_HEADERS}.
 *
 * @example
 * sendJson(response, 404, { error: 'unknown task "a"' });
 */
export function sendJson(response: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  response.writeHead(status, { ...SECURITY_HEADERS, 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': Buffer.byteLength(text) });
  response.end(text);
}
