import { request as httpRequest } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { createScheduler } from '../../src/core/createScheduler.js';
import type { DashboardMessage, PatchMessage, SnapshotMessage, TaskDetail, TaskView } from '../../src/dashboard/protocol.js';
import { startDashboard, type Dashboard } from '../../src/dashboard/startDashboard.js';
import type { Scheduler } from '../../src/core/scheduler.js';
import type { TaskRun } from '../../src/types.js';

const TOKEN = 'test-token-0123456789abcdef';

interface Reply {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly body: string;
}

function send(url: string, options: { method?: string; headers?: Record<string, string>; body?: string } = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { method: options.method ?? 'GET', headers: options.headers ?? {} }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('error', reject);
    req.end(options.body);
  });
}

function postJson(url: string, body: unknown, headers: Record<string, string> = {}): Promise<Reply> {
  return send(url, { method: 'POST', headers: { 'Content-Type': 'application/json', ...headers }, body: JSON.stringify(body) });
}

/** Opens the live feed and collects its messages; resolves once the first (snapshot) arrives. */
async function openFeed(url: string, headers: Record<string, string> = {}): Promise<{ messages: DashboardMessage[]; socket: WebSocket }> {
  const messages: DashboardMessage[] = [];
  const socket = new WebSocket(url, { headers });
  socket.on('message', (data) => messages.push(JSON.parse(String(data)) as DashboardMessage));
  await new Promise<void>((resolve, reject) => {
    socket.once('error', reject);
    socket.once('message', () => resolve());
  });
  return { messages, socket };
}

async function waitFor(condition: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** Work that runs until its signal aborts: a task that stays `running` until cancelled. */
const untilAborted: TaskRun = ({ signal }) =>
  new Promise((_resolve, reject) => signal.addEventListener('abort', () => reject(signal.reason as Error), { once: true }));

function latestStates(messages: readonly DashboardMessage[]): Map<string, string> {
  const states = new Map<string, string>();
  for (const message of messages) for (const task of message.tasks) states.set(task.id, task.state);
  return states;
}

describe('startDashboard', () => {
  let scheduler: Scheduler | undefined;
  let dashboard: Dashboard | undefined;
  const sockets: WebSocket[] = [];

  afterEach(async () => {
    for (const socket of sockets.splice(0)) socket.terminate();
    await dashboard?.close();
    await scheduler?.stop();
    dashboard = undefined;
    scheduler = undefined;
  });

  async function start(options: Parameters<typeof startDashboard>[1] = {}): Promise<{ base: string; ws: string }> {
    scheduler = createScheduler({ maxWorkers: 2, defaultRetry: { attempts: 1 } });
    dashboard = await startDashboard(scheduler, { throttleMs: 20, ...options });
    const url = new URL(dashboard.url);
    return { base: `${url.protocol}//${url.host}`, ws: `ws://${url.host}/ws` };
  }

  it('binds 127.0.0.1 on a free port and serves the built page, its assets and its layout library locally', async () => {
    const { base } = await start();
    expect(dashboard?.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    const page = await send(`${base}/`);
    expect(page.status).toBe(200);
    expect(page.headers['content-type']).toContain('text/html');
    expect(page.headers['content-security-policy']).toContain("default-src 'none'");
    for (const src of page.body.match(/(?:src|href)="(\/assets\/[^"]+)"/g) ?? []) {
      const path = src.replace(/^(?:src|href)="/, '').replace(/"$/, '');
      expect((await send(`${base}${path}`)).status, path).toBe(200);
    }
    // ELK, the statechart's layout, runs in a Web Worker whose script the page loads from here.
    const app = await send(`${base}/assets/app.js`);
    expect(app.body).toContain('/assets/elk-worker.min.js');
    expect((await send(`${base}/assets/elk-worker.min.js`)).status).toBe(200);
    expect((await send(`${base}/assets/../../package.json`)).status).toBe(404);
    expect(page.body).not.toMatch(/https?:\/\/(?!www\.w3\.org)/);
  });

  it('sends a snapshot on connect, then patches that follow every task to its final state', async () => {
    const { ws } = await start();
    const feed = await openFeed(ws);
    sockets.push(feed.socket);
    const snapshot = feed.messages[0] as SnapshotMessage;
    expect(snapshot).toMatchObject({ type: 'snapshot', canControl: true, tasks: [], stats: { maxWorkers: 2 } });
    scheduler?.scheduleTasks([
      { id: 'a', run: async () => 1 },
      { id: 'b', dependencies: ['a'], run: async () => 2 },
      { id: 'c', dependencies: ['a'], run: async () => Promise.reject(new Error('boom')) },
    ]);
    await scheduler?.onIdle();
    await waitFor(() => latestStates(feed.messages).get('b') === 'completed' && latestStates(feed.messages).get('c') === 'failed', 'final states');
    const patches = feed.messages.filter((message): message is PatchMessage => message.type === 'patch');
    expect(patches.some((patch) => patch.statechart?.states.some((state) => state.path === 'pending.queued'))).toBe(true);
    const runs = patches.flatMap((patch) => patch.runs).filter((run) => run.end !== null);
    expect(new Set(runs.map((run) => run.task))).toEqual(new Set(['a', 'b', 'c']));
    expect(runs.every((run) => run.slot >= 0 && run.slot < 2)).toBe(true);
    expect(latestStates(feed.messages).get('a')).toBe('completed');
    expect(patches.at(-1)?.stats).toMatchObject({ completed: 2, failed: 1 });
  });

  it('names each task\'s children and parent in the feed, so the page can show children under their parent', async () => {
    const { ws } = await start();
    const feed = await openFeed(ws);
    sockets.push(feed.socket);
    scheduler?.scheduleTask({ id: 'split', run: (ctx) => void ctx.spawn([{ id: 'lemma', run: async () => 1 }]) });
    scheduler?.scheduleTask({ id: 'goal', race: [{ run: async () => 1 }, { run: async () => 2 }] });
    await scheduler?.onIdle();
    await waitFor(() => latestStates(feed.messages).get('split') === 'completed' && latestStates(feed.messages).get('goal') === 'completed', 'final states');
    const latest = new Map<string, TaskView>();
    for (const message of feed.messages) for (const task of message.tasks) latest.set(task.id, task);
    expect(latest.get('split')).toMatchObject({ children: ['lemma'] });
    expect(latest.get('lemma')).toMatchObject({ parent: 'split' });
    expect(latest.get('lemma')?.children).toBeUndefined();
    expect(latest.get('goal')).toMatchObject({ children: ['goal/0', 'goal/1'] });
    expect(latest.get('goal/1')?.parent).toBe('goal');
  });

  it('patches in tasks scheduled past liveActorLimit, which have no actor for inspection to see yet', async () => {
    scheduler = createScheduler({ liveActorLimit: 0, autoStart: false });
    dashboard = await startDashboard(scheduler, { throttleMs: 20 });
    const feed = await openFeed(`ws://${new URL(dashboard.url).host}/ws`);
    sockets.push(feed.socket);
    scheduler.scheduleTasks([
      { id: 'ready', run: async () => 1 },
      { id: 'waits', dependencies: ['ready'], run: async () => 2 },
    ]);
    await waitFor(() => latestStates(feed.messages).size === 2, 'both tasks in a patch');
    expect(Object.fromEntries(latestStates(feed.messages))).toEqual({ ready: 'pending.queued', waits: 'pending.dependencies' });
  });

  it('patches and keeps the history of dormant tasks as they are paused, resumed and cancelled', async () => {
    scheduler = createScheduler({ liveActorLimit: 0, autoStart: false });
    dashboard = await startDashboard(scheduler, { throttleMs: 20 });
    const { host } = new URL(dashboard.url);
    const feed = await openFeed(`ws://${host}/ws`);
    sockets.push(feed.socket);
    scheduler.scheduleTasks([
      { id: 'ready', run: async () => 1 },
      { id: 'waits', dependencies: ['ready'], run: async () => 2 },
    ]);
    await waitFor(() => latestStates(feed.messages).get('ready') === 'pending.queued', 'the queued task');
    scheduler.pause();
    await waitFor(() => latestStates(feed.messages).get('ready') === 'pending.paused', 'the pause of a dormant task');
    scheduler.resume();
    await waitFor(() => latestStates(feed.messages).get('ready') === 'pending.queued', 'its resume');
    scheduler.cancelTask('ready');
    await waitFor(() => latestStates(feed.messages).get('waits') === 'cancelled', 'the cancel cascade');
    expect(latestStates(feed.messages).get('ready')).toBe('cancelled');
    const detail = JSON.parse((await send(`http://${host}/api/task?id=ready`)).body) as TaskDetail;
    expect(detail.history.map((entry) => entry.to)).toEqual(['pending.queued', 'pending.paused', 'pending.queued', 'cancelled']);
  });

  it('started after a pause, ends the history of a task that has not moved since with where it is now', async () => {
    scheduler = createScheduler({ maxWorkers: 1 });
    scheduler.scheduleTasks([
      { id: 'busy', run: untilAborted },
      { id: 'queued', run: async () => 1 },
      { id: 'after', dependencies: ['queued'], run: async () => 2 },
    ]);
    await waitFor(() => scheduler?.getTaskStatus('busy') === 'running', 'the busy task');
    scheduler.pause();
    dashboard = await startDashboard(scheduler, { throttleMs: 20 });
    const { host } = new URL(dashboard.url);
    const history = async (id: string) => (JSON.parse((await send(`http://${host}/api/task?id=${id}`)).body) as TaskDetail).history;
    expect((await history('queued')).map((entry) => [entry.to, entry.event])).toEqual([
      ['pending.queued', 'recorded'],
      ['pending.paused', 'observed'],
    ]);
    expect((await history('after')).map((entry) => [entry.to, entry.event])).toEqual([['pending.dependencies', 'recorded']]);
  });

  it('answers GET /api/task with the history and, for a pending task, explainTask', async () => {
    const { base } = await start();
    scheduler?.scheduleTasks([
      { id: 'blocker', run: untilAborted },
      { id: 'blocker2', run: untilAborted },
      { id: 'waiting', run: async () => 1 },
    ]);
    await waitFor(() => scheduler?.getTaskStatus('blocker2') === 'running', 'both workers busy');
    const detail = JSON.parse((await send(`${base}/api/task?id=waiting`)).body) as TaskDetail;
    expect(detail.task).toMatchObject({ id: 'waiting', status: 'pending', state: 'pending.queued' });
    expect(detail.explanation).toMatchObject({ id: 'waiting', workersBusy: true });
    const blocker = JSON.parse((await send(`${base}/api/task?id=blocker`)).body) as TaskDetail;
    expect(blocker.history.map((entry) => entry.to)).toEqual(['pending.queued', 'running']);
    expect(blocker.explanation).toBeUndefined();
    expect((await send(`${base}/api/task?id=nope`)).status).toBe(404);
  });

  it('coalesces a burst of thousands of transitions into at most one message per throttleMs', async () => {
    const { ws } = await start({ throttleMs: 150 });
    const feed = await openFeed(ws);
    sockets.push(feed.socket);
    const startedAt = Date.now();
    scheduler?.scheduleTasks(Array.from({ length: 3000 }, (_, index) => ({ id: `t${index}`, run: () => index })));
    await scheduler?.onIdle();
    await waitFor(() => latestStates(feed.messages).size === 3000 && [...latestStates(feed.messages).values()].every((state) => state === 'completed'), 'all 3000 completed on the feed');
    const elapsed = Date.now() - startedAt;
    const patches = feed.messages.length - 1;
    expect(patches).toBeGreaterThan(0);
    expect(patches).toBeLessThanOrEqual(Math.ceil(elapsed / 150) + 1);
  });

  it('cancels a running task and changes a pending task priority from the page endpoints', async () => {
    const { base } = await start();
    scheduler?.scheduleTasks([
      { id: 'long', run: untilAborted },
      { id: 'long2', run: untilAborted },
      { id: 'later', run: async () => 1 },
    ]);
    await waitFor(() => scheduler?.getTaskStatus('long') === 'running', 'long running');
    const cancelled = await postJson(`${base}/api/cancel`, { id: 'long', reason: 'test' });
    expect(cancelled).toMatchObject({ status: 200, body: '{"changed":true}' });
    expect((await scheduler?.waitForTask('long'))?.status).toBe('cancelled');
    expect((await postJson(`${base}/api/cancel`, { id: 'long' })).body).toBe('{"changed":false}');
    expect((await postJson(`${base}/api/priority`, { id: 'long2', priority: 'highest' })).body).toBe('{"changed":false}');
  });

  it('validates control requests: 400 bad fields, 404 unknown task, 415 not JSON, 413 too large, 403 foreign origin', async () => {
    const { base } = await start();
    scheduler?.scheduleTask({ id: 'x', run: untilAborted });
    expect(await postJson(`${base}/api/priority`, { id: 'x', priority: 'urgent' })).toMatchObject({ status: 400, body: expect.stringContaining('field \\"priority\\"') });
    expect((await postJson(`${base}/api/cancel`, { id: 'ghost' })).status).toBe(404);
    expect((await send(`${base}/api/cancel`, { method: 'POST', headers: { 'Content-Type': 'text/plain' }, body: '{"id":"x"}' })).status).toBe(415);
    expect((await send(`${base}/api/cancel`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{"id":' })).status).toBe(400);
    expect((await postJson(`${base}/api/cancel`, { id: 'x', reason: 'r'.repeat(5000) })).status).toBe(413);
    expect((await postJson(`${base}/api/cancel`, { id: 'x' }, { Origin: 'http://evil.example' })).status).toBe(403);
    expect((await send(`${base}/api/state`, { method: 'DELETE' })).status).toBe(405);
    expect(scheduler?.getTaskStatus('x')).toBe('running');
  });

  it('has no control endpoints when read-only, and tells the page so', async () => {
    const { base, ws } = await start({ readOnly: true });
    scheduler?.scheduleTask({ id: 'x', run: untilAborted });
    expect((await postJson(`${base}/api/cancel`, { id: 'x' })).status).toBe(404);
    const feed = await openFeed(ws);
    sockets.push(feed.socket);
    expect((feed.messages[0] as SnapshotMessage).canControl).toBe(false);
    expect(scheduler?.getTaskStatus('x')).not.toBe('cancelled');
  });

  it('requires the token on every HTTP request and WebSocket when one is set, and hands the page a cookie', async () => {
    const { base, ws } = await start({ token: TOKEN, host: '0.0.0.0' });
    expect(dashboard?.url).toBe(`http://127.0.0.1:${new URL(base).port}/?token=${TOKEN}`);
    for (const path of ['/', '/assets/app.js', '/api/state', '/api/task?id=a']) {
      expect((await send(`${base}${path}`)).status, path).toBe(401);
    }
    expect((await postJson(`${base}/api/cancel`, { id: 'a' })).status).toBe(401);
    expect((await send(`${base}/api/state?token=wrong-token-0123456789abc`)).status).toBe(401);
    const page = await send(`${base}/?token=${TOKEN}`);
    expect(page.status).toBe(200);
    const cookie = String(page.headers['set-cookie']).split(';')[0] ?? '';
    expect((await send(`${base}/assets/app.js`, { headers: { Cookie: cookie } })).status).toBe(200);
    expect((await send(`${base}/api/state`, { headers: { Authorization: `Bearer ${TOKEN}` } })).status).toBe(200);
    await expect(openFeed(ws)).rejects.toThrow(/401/);
    const feed = await openFeed(`${ws}?token=${TOKEN}`);
    sockets.push(feed.socket);
    expect(feed.messages[0]?.type).toBe('snapshot');
  });

  it('refuses to bind a non-loopback host without a token', async () => {
    scheduler = createScheduler();
    await expect(startDashboard(scheduler, { host: '0.0.0.0' })).rejects.toThrow(/option "token": expected a token when binding the non-loopback host/);
  });

  it('stops following the scheduler once closed', async () => {
    const { base } = await start();
    await dashboard?.close();
    dashboard = undefined;
    await expect(send(`${base}/`)).rejects.toThrow();
    scheduler?.scheduleTask({ id: 'after', run: async () => 1 });
    await scheduler?.onIdle();
  });
});
