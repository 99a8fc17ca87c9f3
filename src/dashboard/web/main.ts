// The dashboard page: one model fed by the server's WebSocket, views that redraw at most once per
// animation frame (the heavier ones a few times a second), panels laid out to fit the window and
// resized by dragging their splitters. Plain TypeScript modules rather than a component library:
// the big views are canvases that redraw themselves, and the few DOM panels are replaced whole.
import './style.css';
import type { DashboardMessage, TaskDetail, TaskView } from '../protocol.js';
import type { GroupMode } from './aggregate.js';
import { byId } from './dom.js';
import { createGraphView } from './graphView.js';
import { applyMessage, createModel } from './model.js';
import { renderCounters, renderDetail, renderNodes, renderPools, renderQueue, renderRecovered } from './panels.js';
import { createProgressView } from './progressView.js';
import { attachSplitters } from './splitters.js';
import { createStatechartView } from './statechartView.js';
import { createTaskList } from './taskList.js';
import { createTimelineView } from './timelineView.js';
import { stateLabel } from './dom.js';

const FINAL_STATUSES = new Set(['completed', 'failed', 'cancelled']);
/** The graph, the progress bars and the timeline redraw at most this often (ms); the rest every frame. */
const HEAVY_EVERY_MS = 250;
const token = new URLSearchParams(location.search).get('token');
const model = createModel();
/** Tasks the list is limited to (a cluster clicked in the graph), or undefined for all. */
let scope: { readonly label: string; readonly ids: ReadonlySet<string> } | undefined;

const select = (id: string): void => {
  model.selectedId = id;
  model.detail = null;
  // The last task's facts must not stand under this one's title while its detail loads.
  for (const box of [byId('facts'), byId('explanation'), byId('history').querySelector('tbody') as HTMLElement]) box.replaceChildren();
  byId('control-message').textContent = '';
  const task = model.tasks.get(id);
  if (task !== undefined) byId<HTMLSelectElement>('priority-select').value = String(task.priority);
  void loadDetail();
  // The detail first: the graph shows the selection on its next pass, within HEAVY_EVERY_MS.
  scheduleRender(false);
};

const taskList = createTaskList(byId('task-list'), select);
const graphView = createGraphView(byId('graph'), byId('dag-note'), {
  onSelect: select,
  onCluster(label, ids) {
    scope = { label, ids: new Set(ids) };
    scheduleRender(false);
  },
});
const timelineView = createTimelineView(byId('timeline'), byId('gantt-note'), select);
const statechartView = createStatechartView(byId('statechart'));
const progressView = createProgressView({
  rows: byId('progress-rows'),
  total: byId('run-progress'),
  totalText: byId('run-progress-text'),
  eta: byId('eta'),
  chart: byId<HTMLCanvasElement>('throughput'),
  chartNote: byId('throughput-note'),
});

function request(path: string, init: RequestInit = {}): Promise<Response> {
  const headers = { ...(init.headers as Record<string, string> | undefined), ...(token === null ? {} : { Authorization: `Bearer ${token}` }) };
  return fetch(path, { ...init, headers });
}

let detailInFlight = false;
let detailStale = false;
async function loadDetail(): Promise<void> {
  if (model.selectedId === null) return;
  if (detailInFlight) {
    detailStale = true;
    return;
  }
  detailInFlight = true;
  try {
    const response = await request(`/api/task?id=${encodeURIComponent(model.selectedId)}`);
    const detail = response.ok ? ((await response.json()) as TaskDetail) : null;
    if (detail !== null && detail.task.id === model.selectedId) model.detail = detail;
  } finally {
    detailInFlight = false;
    scheduleRender(false);
    if (detailStale) {
      detailStale = false;
      void loadDetail();
    }
  }
}

async function control(path: string, body: unknown): Promise<void> {
  const message = byId('control-message');
  const response = await request(path, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
  const answer = (await response.json()) as { changed?: boolean; error?: string };
  message.textContent = response.ok ? (answer.changed === true ? 'done' : 'no change: the task has already moved on') : (answer.error ?? `error ${response.status}`);
  void loadDetail();
}
byId('cancel-button').addEventListener('click', () => void control('/api/cancel', { id: model.selectedId }));
byId('priority-button').addEventListener('click', () => void control('/api/priority', { id: model.selectedId, priority: Number(byId<HTMLSelectElement>('priority-select').value) }));
byId('task-filter').addEventListener('input', () => scheduleRender(false));
byId('task-scope-clear').addEventListener('click', () => {
  scope = undefined;
  scheduleRender(false);
});
byId<HTMLSelectElement>('graph-mode').addEventListener('change', (event) => graphView.setGrouping((event.target as HTMLSelectElement).value as GroupMode));
byId<HTMLInputElement>('graph-focus').addEventListener('change', (event) => graphView.setFocus((event.target as HTMLInputElement).checked));
byId('statechart-enlarge').addEventListener('click', (event) => {
  const enlarged = byId('statechart-box').classList.toggle('enlarged');
  const button = event.target as HTMLButtonElement;
  button.setAttribute('aria-pressed', String(enlarged));
  button.textContent = enlarged ? 'close the large statechart' : 'enlarge the statechart';
});
byId('graph-fit').addEventListener('click', () => graphView.fit());
byId('timeline-fit').addEventListener('click', () => timelineView.fit());
byId<HTMLSelectElement>('progress-mode').addEventListener('change', (event) => progressView.setMode((event.target as HTMLSelectElement).value as GroupMode));
for (const tab of Array.from(document.querySelectorAll<HTMLButtonElement>('.tab'))) {
  tab.addEventListener('click', () => {
    const name = tab.dataset['tab'];
    for (const other of Array.from(document.querySelectorAll<HTMLElement>('.tab'))) other.setAttribute('aria-selected', String(other === tab));
    for (const body of Array.from(document.querySelectorAll<HTMLElement>('[data-tab-body]'))) body.hidden = body.dataset['tabBody'] !== name;
    for (const toolbar of Array.from(document.querySelectorAll<HTMLElement>('.toolbar'))) toolbar.hidden = toolbar.dataset['for'] !== name;
    scheduleRender(true);
  });
}
attachSplitters(byId('layout'), byId('center'));

function matches(task: TaskView, filter: string): boolean {
  return `${task.id} ${task.name} ${task.state} ${task.group ?? ''} ${task.type ?? ''}`.toLowerCase().includes(filter);
}

let renderPending = false;
let heavyDue = true;
let heavyAt = 0;
function scheduleRender(heavy: boolean): void {
  heavyDue ||= heavy;
  if (renderPending) return;
  renderPending = true;
  requestAnimationFrame(() => {
    renderPending = false;
    render();
  });
}

function render(): void {
  const stats = model.stats;
  if (stats === null) return;
  const tasks = [...model.tasks.values()];
  const filter = byId<HTMLInputElement>('task-filter').value.trim().toLowerCase();
  const inScope = scope === undefined ? tasks : tasks.filter((task) => scope?.ids.has(task.id));
  const rows = filter === '' ? inScope : inScope.filter((task) => matches(task, filter));
  byId('task-count').textContent = `${rows.length} of ${tasks.length}`;
  byId('task-scope').hidden = scope === undefined;
  byId('task-scope-label').textContent = scope === undefined ? '' : `in ${scope.label}`;
  taskList.update(rows, model.selectedId);
  renderCounters(byId('counters'), byId('workers'), stats);
  renderPools(byId('pools'), stats.resources);
  byId('nodes-panel').hidden = model.nodes === null;
  if (model.nodes !== null) renderNodes(byId('nodes').querySelector('tbody') as HTMLElement, byId('nodes-note'), model.nodes);
  renderQueue(byId('queue'), byId('queue-note'), model.queue, select);
  renderRecovered(byId('recovered-panel'), model.recovered, select);
  const selected = model.selectedId === null ? undefined : model.tasks.get(model.selectedId);
  byId('detail-title').textContent = selected === undefined ? 'select a task' : `${selected.id}: ${stateLabel(selected)}${selected.node !== undefined && selected.state !== 'pending.dispatched' ? ` (node ${selected.node})` : ''}`;
  byId('detail-panel').dataset['state'] = selected?.state ?? '';
  byId('statechart-box').hidden = selected === undefined || model.statechart === null;
  statechartView.update(model.statechart, selected?.state ?? null, model.detail?.history.at(-1));
  byId('controls').hidden = !model.canControl || selected === undefined;
  byId<HTMLButtonElement>('cancel-button').disabled = selected === undefined || FINAL_STATUSES.has(selected.status);
  if (model.detail !== null && selected !== undefined) renderDetail(byId('facts'), byId('history').querySelector('tbody') as HTMLElement, byId('explanation'), model.detail, selected, select);
  const now = performance.now();
  if (heavyDue || now - heavyAt >= HEAVY_EVERY_MS) {
    heavyDue = false;
    heavyAt = now;
    const serverNow = model.at + (Date.now() - receivedAt);
    // Each in a task of its own, so that a big run makes three short tasks rather than one long one.
    inTurns([
      () => {
        if (!byId('graph').hidden) graphView.update(model.tasks, model.shapeVersion, model.selectedId);
      },
      () => timelineView.update(model.runs, model.runsVersion, serverNow),
      () => progressView.update(model.tasks, model.shapeVersion, model.runs, serverNow, stats.maxWorkers),
    ]);
  } else scheduleLater();
}

/** Runs the steps one after another, each in its own task, yielding to the page between them. */
function inTurns(steps: readonly (() => void)[]): void {
  const [first, ...rest] = steps;
  if (first === undefined) return;
  first();
  if (rest.length > 0) setTimeout(() => inTurns(rest), 0);
}

let laterTimer: ReturnType<typeof setTimeout> | undefined;
/** The heavy views skipped a frame: draw them once their interval has passed, even if no message comes. */
function scheduleLater(): void {
  if (laterTimer !== undefined) return;
  laterTimer = setTimeout(() => {
    laterTimer = undefined;
    scheduleRender(true);
  }, HEAVY_EVERY_MS);
}

/** When the last message came, by the wall clock: the server's time moves on from `model.at` at its pace. */
let receivedAt = Date.now();
function connect(delayMs = 1000): void {
  const connection = byId('connection');
  const socket = new WebSocket(`${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/ws${token === null ? '' : `?token=${encodeURIComponent(token)}`}`);
  socket.addEventListener('open', () => {
    connection.dataset['state'] = 'live';
    connection.textContent = 'live';
  });
  socket.addEventListener('message', (event) => {
    receivedAt = Date.now();
    const message = JSON.parse(event.data as string) as DashboardMessage;
    if (applyMessage(model, message)) void loadDetail();
    scheduleRender(message.type === 'snapshot');
  });
  socket.addEventListener('close', () => {
    connection.dataset['state'] = 'closed';
    connection.textContent = 'disconnected, retrying…';
    setTimeout(() => connect(Math.min(delayMs * 2, 10_000)), delayMs);
  });
}
connect();
