import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Scheduler } from '../core/scheduler.js';
import type { DashboardFeed } from './createDashboardFeed.js';
import type { RequestGuard } from './createRequestGuard.js';
import type { PageAsset } from './loadPageAssets.js';
import { parseControlRequest, type ControlRequest } from './parseControlRequest.js';
import { BodyError, readJsonBody } from './readJsonBody.js';
import { SECURITY_HEADERS, sendJson } from './sendJson.js';

/** What {@link createRequestHandler} serves from. */
export interface RequestHandlerContext {
  readonly scheduler: Scheduler;
  readonly feed: DashboardFeed;
  readonly guard: RequestGuard;
  readonly assets: ReadonlyMap<string, PageAsset>;
  /** Whether `POST /api/cancel` and `POST /api/priority` exist. */
  readonly canControl: boolean;
  /** Called after a control request changed something, so the page hears of it soon. */
  readonly onControl: () => void;
}

const MAX_BODY_BYTES = 4096;
const CONTROL_ROUTES: Readonly<Record<string, ControlRequest['action']>> = { '/api/cancel': 'cancel', '/api/priority': 'priority' };

function runControl(scheduler: Scheduler, request: ControlRequest): { changed: boolean } {
  return request.action === 'cancel'
    ? { changed: scheduler.cancelTask(request.id, request.reason) }
    : { changed: scheduler.updateTaskPriority(request.id, request.priority) };
}

async function handleControl(context: RequestHandlerContext, action: ControlRequest['action'], request: IncomingMessage, response: ServerResponse): Promise<void> {
  const parsed = parseControlRequest(action, await readJsonBody(request, MAX_BODY_BYTES));
  if (!parsed.ok) return sendJson(response, 400, { error: parsed.error });
  if (!context.scheduler.hasTask(parsed.request.id)) return sendJson(response, 404, { error: `unknown task ${JSON.stringify(parsed.request.id)}` });
  const outcome = runControl(context.scheduler, parsed.request);
  context.onControl();
  sendJson(response, 200, outcome);
}

function handleRead(context: RequestHandlerContext, url: URL, response: ServerResponse): void {
  if (url.pathname === '/api/state') return sendJson(response, 200, context.feed.snapshot());
  if (url.pathname === '/api/task') {
    const detail = context.feed.detail(url.searchParams.get('id') ?? '');
    return detail === undefined ? sendJson(response, 404, { error: `unknown task ${JSON.stringify(url.searchParams.get('id'))}` }) : sendJson(response, 200, detail);
  }
  const asset = context.assets.get(url.pathname);
  if (asset === undefined) return sendJson(response, 404, { error: `no such page: ${url.pathname}` });
  const cookie = url.pathname === '/' && context.guard.cookie !== undefined ? { 'Set-Cookie': context.guard.cookie } : {};
  response.writeHead(200, { ...SECURITY_HEADERS, ...cookie, 'Content-Type': asset.contentType, 'Content-Length': asset.body.length });
  response.end(asset.body);
}

/**
 * The dashboard's HTTP routes, behind its {@link RequestGuard}:
 * `GET /` (the page), `GET /assets/*`, `GET /api/state` (a full snapshot), `GET /api/task?id=`
 * (one task with history and explanation), and, only when control is allowed,
 * `POST /api/cancel` and `POST /api/priority`. Anything else is 404 or 405.
 *
 * @example
 * const server = createServer(createRequestHandler({ scheduler, feed, guard, assets, canControl: true, onControl }));
 */
export function createRequestHandler(context: RequestHandlerContext): (request: IncomingMessage, response: ServerResponse) => void {
  return (request, response) => {
    const isWrite = request.method === 'POST';
    const refusal = context.guard.check(request, isWrite);
    if (refusal !== undefined) return sendJson(response, refusal.status, { error: refusal.message });
    const url = new URL(request.url ?? '/', 'http://dashboard.invalid');
    const action = CONTROL_ROUTES[url.pathname];
    if (isWrite && action !== undefined) {
      if (!context.canControl) return sendJson(response, 404, { error: `${url.pathname} is disabled: this dashboard is read-only` });
      handleControl(context, action, request, response).catch((error: unknown) => {
        if (error instanceof BodyError) return sendJson(response, error.status, { error: error.message });
        sendJson(response, 400, { error: error instanceof Error ? error.message : String(error) });
      });
      return;
    }
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      response.setHeader('Allow', 'GET, HEAD');
      return sendJson(response, 405, { error: `method ${request.method ?? ''} not allowed on ${url.pathname}` });
    }
    handleRead(context, url, response);
  };
}
