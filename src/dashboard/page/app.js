import { createDagView } from './dagView.js';
import { createGanttView } from './ganttView.js';
import { renderCounters, renderDetail, renderNodes, renderPools, renderQueue } from './panels.js';
import { createStatechartView } from './statechartView.js';
import { stateLabel } from './svg.js';
import { createTaskList } from './taskList.js';

const FINAL_STATUSES = new Set(['completed', 'failed', 'cancelled']);
const token = new URLSearchParams(location.search).get('token');
const byId = (id) => document.getElementById(id);

const model = {
  tasks: new Map(),
  runs: new Map(),
  stats: null,
  queue: [],
  statechart: null,
  canControl: false,
  nodes: null,
  at: 0,
  selectedId: null,
  detail: null,
};

const select = (id) => {
  model.selectedId = id;
  model.detail = null;
  byId('control-message').textContent = '';
  const task = model.tasks.get(id);
  if (task) byId('priority-select').value = String(task.priority);
  loadDetail();
  scheduleRender();
};
const taskList = createTaskList(byId('task-list'), select);
const dagView = createDagView(byId('dag'), byId('dag-note'), select);
const ganttView = createGanttView(byId('gantt'), byId('gantt-note'), select);
const statechartView = createStatechartView(byId('statechart'));

function request(path, init = {}) {
  const headers = { ...(init.headers ?? {}), ...(token ? { Authorization: `Bearer ${token}` } : {}) };
  return fetch(path, { ...init, headers });
}

let detailInFlight = false;
let detailStale = false;
async function loadDetail() {
  if (model.selectedId === null) return;
  if (detailInFlight) {
    detailStale = true;
    return;
  }
  detailInFlight = true;
  try {
    const response = await request(`/api/task?id=${encodeURIComponent(model.selectedId)}`);
    const detail = response.ok ? await response.json() : null;
    if (detail && detail.task.id === model.selectedId) model.detail = detail;
  } finally {
    detailInFlight = false;
    scheduleRender();
    if (detailStale) {
      detailStale = false;
      loadDetail();
    }
  }
}

async function control(path, body) {
  const message = byId('control-message');
  const response = await request(path, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
  const answer = await response.json();
  message.textContent = response.ok ? (answer.changed ? 'done' : 'no change: the task has already moved on') : answer.error;
  loadDetail();
}
byId('cancel-button').addEventListener('click', () => control('/api/cancel', { id: model.selectedId }));
byId('priority-button').addEventListener('click', () => control('/api/priority', { id: model.selectedId, priority: Number(byId('priority-select').value) }));
byId('task-filter').addEventListener('input', () => scheduleRender());

function runKey(run) {
  return `${run.task}#${run.attempt}`;
}

function apply(message) {
  if (message.type === 'snapshot') {
    model.tasks = new Map(message.tasks.map((task) => [task.id, task]));
    model.runs = new Map(message.runs.map((run) => [runKey(run), run]));
    model.canControl = message.canControl;
    model.statechart = message.statechart;
    model.nodes = message.nodes ?? null;
  } else {
    for (const task of message.tasks) model.tasks.set(task.id, task);
    for (const id of message.removed) model.tasks.delete(id);
    for (const run of message.runs) model.runs.set(runKey(run), run);
    if (message.statechart) model.statechart = message.statechart;
    if (message.nodes) model.nodes = message.nodes;
    if (model.selectedId !== null && message.tasks.some((task) => task.id === model.selectedId)) loadDetail();
  }
  model.stats = message.stats;
  model.queue = message.queue;
  model.at = message.at;
  scheduleRender();
}

let renderPending = false;
function scheduleRender() {
  if (renderPending) return;
  renderPending = true;
  requestAnimationFrame(() => {
    renderPending = false;
    render();
  });
}

function render() {
  if (model.stats === null) return;
  const tasks = [...model.tasks.values()];
  const filter = byId('task-filter').value.trim().toLowerCase();
  const rows = filter === '' ? tasks : tasks.filter((task) => `${task.id} ${task.name} ${task.state}`.toLowerCase().includes(filter));
  byId('task-count').textContent = `${rows.length} of ${tasks.length}`;
  taskList.update(rows, model.selectedId);
  dagView.update(tasks, model.selectedId);
  ganttView.update([...model.runs.values()], model.stats.maxWorkers, model.at);
  renderCounters(byId('counters'), byId('workers'), model.stats);
  renderPools(byId('pools'), model.stats.resources);
  byId('nodes-panel').hidden = model.nodes === null;
  if (model.nodes !== null) renderNodes(byId('nodes').tBodies[0], byId('nodes-note'), model.nodes);
  renderQueue(byId('queue'), byId('queue-note'), model.queue, select);
  const selected = model.selectedId === null ? undefined : model.tasks.get(model.selectedId);
  byId('detail-title').textContent = selected
    ? `${selected.id}: ${stateLabel(selected)}${selected.node && selected.state !== 'pending.dispatched' ? ` (node ${selected.node})` : ''}${selected.ranBecause ? ` (ran: ${selected.ranBecause})` : ''}`
    : 'select a task';
  byId('detail-panel').dataset.state = selected ? selected.state : '';
  statechartView.update(model.statechart, selected ? selected.state : null);
  byId('controls').hidden = !model.canControl || !selected;
  byId('cancel-button').disabled = !selected || FINAL_STATUSES.has(selected.status);
  if (model.detail && selected) renderDetail(byId('history').tBodies[0], byId('explanation'), model.detail);
}

function connect(delayMs = 1000) {
  const connection = byId('connection');
  const socket = new WebSocket(`${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/ws${token ? `?token=${encodeURIComponent(token)}` : ''}`);
  socket.addEventListener('open', () => {
    connection.dataset.state = 'live';
    connection.textContent = 'live';
  });
  socket.addEventListener('message', (event) => apply(JSON.parse(event.data)));
  socket.addEventListener('close', () => {
    connection.dataset.state = 'closed';
    connection.textContent = 'disconnected, retrying…';
    setTimeout(() => connect(Math.min(delayMs * 2, 10000)), delayMs);
  });
}
connect();
