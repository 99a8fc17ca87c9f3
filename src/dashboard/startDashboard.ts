import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import type { SchedulerEvents } from '../events.js';
import type { Scheduler } from '../core/scheduler.js';
import type { TaskRecord } from '../types.js';
import { createCoalescer } from './createCoalescer.js';
import { createDashboardFeed } from './createDashboardFeed.js';
import { createRequestGuard } from './createRequestGuard.js';
import { createRequestHandler } from './createRequestHandler.js';
import { createTaskTracker, recordedSlotOf } from './createTaskTracker.js';
import { DashboardOptionsError } from './DashboardOptionsError.js';
import { loadPageAssets } from './loadPageAssets.js';
import { resolveDashboardOptions, type DashboardOptions } from './resolveDashboardOptions.js';
import { taskPath } from './taskPath.js';
import { listenServer, type ListenFailure } from '../http/listenServer.js';

/** A running dashboard: what {@link startDashboard} resolves to. */
export interface Dashboard {
  /** The page's address, with `?token=` when a token is in use. */
  readonly url: string;
  /** Detaches from the scheduler, closes every connection and stops listening. */
  close(): Promise<void>;
}

/** How often a `nodes` source is read for changes when no task changes, in ms. */
const NODES_POLL_MS = 1000;

/** A client whose socket buffer is this full gets no patches until it drains, then a full snapshot. */
const MAX_BUFFERED_BYTES = 4 * 1024 * 1024;
const STALE = new WeakSet<WebSocket>();

/** Listens, or throws a {@link DashboardOptionsError} naming `port` (in use, not allowed) or `host` (not this machine's). */
async function listen(server: Server, port: number, host: string): Promise<void> {
  await listenServer(server, port, host).catch(({ field, code }: ListenFailure) => {
    throw field === 'port' ? new DashboardOptionsError('port', `a port free to listen on at ${host}`, `${port} (${code})`) : new DashboardOptionsError('host', 'an address of this machine', `${host} (${code})`);
  });
}

function pageUrl(host: string, port: number, token: string | undefined): string {
  const isWildcard = host === '0.0.0.0' || host === '::';
  const shown = isWildcard ? '127.0.0.1' : host.includes(':') ? `[${host}]` : host;
  return `http://${shown}:${port}/${token === undefined ? '' : `?token=${encodeURIComponent(token)}`}`;
}

/**
 * Serves a live dashboard of a scheduler: a local page (no asset from the internet) fed over a
 * WebSocket from XState inspection events and the scheduler's public API, at most one update per
 * `throttleMs`. It binds 127.0.0.1 by default; another host needs a `token`. The page can cancel
 * tasks and change priorities unless `readOnly` is set. In a distributed run it shows the node each
 * attempt was placed on, and with a `nodes` source (`() => executor.nodes()`) the nodes themselves.
 *
 * @throws DashboardOptionsError for a bad option, a port already in use or a host not of this machine
 * @example
 * const scheduler = createScheduler({ maxWorkers: 4 });
 * const dashboard = await startDashboard(scheduler, { port: 4800 });
 * console.log(`dashboard at ${dashboard.url}`);
 * // …
 * await dashboard.close();
 */
export async function startDashboard(scheduler: Scheduler, options: DashboardOptions = {}): Promise<Dashboard> {
  const resolved = resolveDashboardOptions(options);
  const assets = await loadPageAssets();
  // Listen before attaching to the scheduler, so a busy port leaves nothing behind.
  const server = createServer();
  await listen(server, resolved.port, resolved.host);
  const clients = new Set<WebSocket>();
  // The Gantt's rows are the scheduler's own worker slots, read from each task's record.
  const tracker = createTaskTracker({ root: scheduler.actor, now: resolved.now, onChange: () => push.poke(), slotOf: recordedSlotOf(scheduler) });
  const feed = createDashboardFeed(scheduler, tracker, resolved);

  const sendSnapshot = (socket: WebSocket): void => {
    STALE.delete(socket);
    socket.send(JSON.stringify(feed.snapshot()));
  };
  const broadcast = (): void => {
    if (clients.size === 0) {
      tracker.takeChangedTasks();
      tracker.takeChangedRuns();
      return;
    }
    const message = JSON.stringify(feed.patch());
    for (const socket of clients) {
      if (socket.bufferedAmount > MAX_BUFFERED_BYTES) STALE.add(socket);
      else if (STALE.has(socket)) sendSnapshot(socket);
      else socket.send(message);
    }
  };
  const push = createCoalescer(broadcast, resolved.throttleMs);

  const port = (server.address() as AddressInfo).port;
  const guard = createRequestGuard({ token: resolved.token, isLoopback: resolved.isLoopback, port, publicOrigin: resolved.publicOrigin, trustProxy: resolved.trustProxy });
  server.on('request', createRequestHandler({ scheduler, feed, guard, assets, canControl: resolved.canControl, onControl: () => push.poke() }));

  const sockets = new WebSocketServer({ noServer: true, maxPayload: 1024 });
  server.on('upgrade', (request, socket, head) => {
    const refusal = new URL(request.url ?? '/', 'http://dashboard.invalid').pathname === '/ws' ? guard.check(request, true) : { status: 404, message: 'no such socket' };
    if (refusal !== undefined) {
      socket.end(`HTTP/1.1 ${refusal.status} ${refusal.status === 404 ? 'Not Found' : refusal.status === 401 ? 'Unauthorized' : 'Forbidden'}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
      return;
    }
    sockets.handleUpgrade(request, socket, head, (client) => {
      clients.add(client);
      client.on('close', () => clients.delete(client));
      sendSnapshot(client);
    });
  });
  const inspection = scheduler.actor.system.inspect(tracker.observer);
  const onPlaced = ({ task, attempt, node }: SchedulerEvents['task:placed']): void => tracker.notePlaced(task.id, attempt, node);
  scheduler.events.on('task:placed', onPlaced);
  const onBackup = ({ task }: SchedulerEvents['task:backup']): void => tracker.noteChanged(task.id);
  scheduler.events.on('task:backup', onBackup);
  // A dormant task (past liveActorLimit) has no actor for inspection to see until it starts: its
  // state and history come from the events (for a task with an actor they repeat what inspection saw).
  const noteState = ({ task }: { task: TaskRecord }, eventType: string): void => tracker.noteState(task.id, taskPath(task), eventType);
  const stateEvents = (['task:scheduled', 'task:waiting', 'task:cancelled', 'task:failed'] as const).map((type) => {
    const handler = (event: { task: TaskRecord }): void => noteState(event, type);
    scheduler.events.on(type, handler);
    return () => scheduler.events.off(type, handler);
  });
  const nodesPoll = resolved.nodes === undefined ? undefined : setInterval(() => clients.size > 0 && feed.hasNodeChanges() && push.poke(), NODES_POLL_MS);
  nodesPoll?.unref();

  return {
    url: pageUrl(resolved.host, port, resolved.token),
    async close() {
      inspection.unsubscribe();
      scheduler.events.off('task:placed', onPlaced);
      scheduler.events.off('task:backup', onBackup);
      for (const off of stateEvents) off();
      clearInterval(nodesPoll);
      push.stop();
      for (const client of clients) client.terminate();
      await new Promise<void>((resolve) => sockets.close(() => resolve()));
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}
