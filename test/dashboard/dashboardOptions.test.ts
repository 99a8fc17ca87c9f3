import type { IncomingMessage } from 'node:http';
import { describe, expect, it } from 'vitest';
import { createRequestGuard } from '../../src/dashboard/createRequestGuard.js';
import { DashboardOptionsError } from '../../src/dashboard/DashboardOptionsError.js';
import { isLoopbackHost } from '../../src/http/isLoopbackHost.js';
import { parseControlRequest } from '../../src/dashboard/parseControlRequest.js';
import { resolveDashboardOptions } from '../../src/dashboard/resolveDashboardOptions.js';

const TOKEN = 'a-token-of-24-characters';

function fakeRequest(url: string, headers: Record<string, string>): IncomingMessage {
  return { url, headers } as unknown as IncomingMessage;
}

describe('isLoopbackHost', () => {
  it('accepts localhost, 127/8 and ::1 and nothing else', () => {
    expect(['localhost', '127.0.0.1', '127.1.2.3', '::1', '[::1]'].every(isLoopbackHost)).toBe(true);
    expect(['0.0.0.0', '::', '192.168.1.2', 'example.com', '127.0.0.1.nip.io'].some(isLoopbackHost)).toBe(false);
  });
});

describe('resolveDashboardOptions', () => {
  it('fills in the defaults: loopback, any port, 100 ms throttle, control enabled', () => {
    const resolved = resolveDashboardOptions();
    expect(resolved).toMatchObject({ host: '127.0.0.1', port: 0, throttleMs: 100, token: undefined, canControl: true, isLoopback: true, queueLimit: 20 });
  });

  it('refuses a non-loopback host without a token, naming the field', () => {
    expect(() => resolveDashboardOptions({ host: '0.0.0.0' })).toThrow(DashboardOptionsError);
    expect(() => resolveDashboardOptions({ host: '0.0.0.0' })).toThrow(/option "token": expected a token when binding the non-loopback host "0.0.0.0"/);
    expect(resolveDashboardOptions({ host: '0.0.0.0', token: TOKEN }).canControl).toBe(true);
  });

  it('rejects short tokens, bad ports and bad throttles', () => {
    expect(() => resolveDashboardOptions({ token: 'short' })).toThrow(/"token": expected a string of at least 16 characters, received 5 characters/);
    expect(() => resolveDashboardOptions({ port: 70000 })).toThrow(/"port": expected an integer from 0 to 65535, received 70000/);
    expect(() => resolveDashboardOptions({ throttleMs: -1 })).toThrow(/"throttleMs"/);
  });

  it('normalizes publicOrigin and refuses anything but a bare http(s) origin, naming the field', () => {
    expect(resolveDashboardOptions({ publicOrigin: 'HTTPS://Sched.Example.org:443' }).publicOrigin).toBe('https://sched.example.org');
    expect(resolveDashboardOptions({ publicOrigin: 'https://sched.example.org:8443/' }).publicOrigin).toBe('https://sched.example.org:8443');
    for (const bad of ['sched.example.org', 'ftp://sched.example.org', 'https://sched.example.org/dashboard', 'https://user:pw@sched.example.org', 'https://sched.example.org?x=1', '*', 42]) {
      expect(() => resolveDashboardOptions({ publicOrigin: bad as string }), String(bad)).toThrow(/option "publicOrigin": expected an origin such as "https:\/\/sched\.example\.org"/);
    }
    expect(resolveDashboardOptions().publicOrigin).toBeUndefined();
  });

  it('takes trustProxy as true or false only, off by default', () => {
    expect(resolveDashboardOptions().trustProxy).toBe(false);
    expect(resolveDashboardOptions({ trustProxy: true }).trustProxy).toBe(true);
    expect(() => resolveDashboardOptions({ trustProxy: 'yes' as unknown as boolean })).toThrow(/option "trustProxy": expected true or false, received "yes"/);
  });

  it('disables control when read-only', () => {
    expect(resolveDashboardOptions({ readOnly: true }).canControl).toBe(false);
  });
});

describe('createRequestGuard', () => {
  const guard = createRequestGuard({ token: TOKEN, isLoopback: true, port: 4000 });

  it('accepts the token from the query, a bearer header or the cookie', () => {
    const host = { host: '127.0.0.1:4000' };
    expect(guard.check(fakeRequest(`/?token=${TOKEN}`, host), false)).toBeUndefined();
    expect(guard.check(fakeRequest('/api/state', { ...host, authorization: `Bearer ${TOKEN}` }), false)).toBeUndefined();
    expect(guard.check(fakeRequest('/assets/app.js', { ...host, cookie: `other=1; xeno_dashboard_4000=${TOKEN}` }), false)).toBeUndefined();
    expect(guard.cookie).toContain('HttpOnly; SameSite=Strict');
  });

  it('answers 401 without the token or with a wrong one', () => {
    const host = { host: '127.0.0.1:4000' };
    expect(guard.check(fakeRequest('/', host), false)?.status).toBe(401);
    expect(guard.check(fakeRequest('/?token=wrong-token-of-24-chars!', host), false)?.status).toBe(401);
    expect(guard.check(fakeRequest('/', { ...host, cookie: `xeno_dashboard_4001=${TOKEN}` }), false)?.status).toBe(401);
  });

  it('answers 403 to a foreign Host on a loopback bind and to a foreign Origin on writes', () => {
    const open = createRequestGuard({ token: undefined, isLoopback: true, port: 4000 });
    expect(open.check(fakeRequest('/', { host: 'attacker.example:4000' }), false)?.status).toBe(403);
    expect(open.check(fakeRequest('/api/cancel', { host: '127.0.0.1:4000', origin: 'http://attacker.example' }), true)?.status).toBe(403);
    expect(open.check(fakeRequest('/api/cancel', { host: '127.0.0.1:4000', origin: 'http://127.0.0.1:4000' }), true)).toBeUndefined();
  });

  it('with trustProxy reads the scheme from the first Forwarded element or X-Forwarded-Proto value; without it, ignores both', () => {
    const trusting = createRequestGuard({ token: undefined, isLoopback: true, port: 4000, trustProxy: true });
    const https = { host: 'localhost:4000', origin: 'https://localhost:4000' };
    expect(trusting.check(fakeRequest('/ws', { ...https, forwarded: 'for=10.0.0.1;Proto="https";host=x, proto=http' }), true)).toBeUndefined();
    expect(trusting.check(fakeRequest('/ws', { ...https, 'x-forwarded-proto': 'https, http' }), true)).toBeUndefined();
    expect(trusting.check(fakeRequest('/ws', { ...https, 'x-forwarded-proto': 'http, https' }), true)?.status).toBe(403);
    expect(trusting.check(fakeRequest('/ws', { ...https, 'x-forwarded-proto': 'javascript' }), true)?.status).toBe(403);
    expect(trusting.check(fakeRequest('/ws', https), true)?.status).toBe(403);
    const untrusting = createRequestGuard({ token: undefined, isLoopback: true, port: 4000 });
    expect(untrusting.check(fakeRequest('/ws', { ...https, 'x-forwarded-proto': 'https', forwarded: 'proto=https' }), true)?.status).toBe(403);
  });
});

describe('parseControlRequest', () => {
  it('accepts a cancel with an optional reason and a priority as level or name', () => {
    expect(parseControlRequest('cancel', { id: 'a' })).toEqual({ ok: true, request: { action: 'cancel', id: 'a', reason: 'cancelled from the dashboard' } });
    expect(parseControlRequest('priority', { id: 'a', priority: 'high' })).toEqual({ ok: true, request: { action: 'priority', id: 'a', priority: 'high' } });
    expect(parseControlRequest('priority', { id: 'a', priority: 5 })).toMatchObject({ ok: true });
  });

  it('says which field is wrong, what was expected and what was received', () => {
    expect(parseControlRequest('cancel', [])).toEqual({ ok: false, error: 'expected a JSON object, received []' });
    expect(parseControlRequest('cancel', { id: '' })).toMatchObject({ ok: false, error: expect.stringMatching(/field "id": expected a task id/) });
    expect(parseControlRequest('cancel', { id: 'a', reason: 7 })).toMatchObject({ ok: false, error: expect.stringMatching(/field "reason".*received 7/) });
    expect(parseControlRequest('priority', { id: 'a', priority: 9 })).toMatchObject({ ok: false, error: expect.stringMatching(/field "priority": expected 1-5 or one of lowest, low, normal, high, highest, received 9/) });
    expect(parseControlRequest('priority', { id: 'a', priority: '__proto__' })).toMatchObject({ ok: false });
  });
});
