import { htmlElement } from './svg.js';

const COUNTERS = ['pending', 'running', 'completed', 'failed', 'cancelled'];

/** The header's counters and the workers line. */
export function renderCounters(list, workers, stats) {
  list.replaceChildren(...COUNTERS.map((name) => {
    const item = htmlElement('li', `counter-${name}`, `${name} `);
    htmlElement('span', undefined, stats[name], item);
    return item;
  }));
  // A dispatched task holds its worker slot while its job waits for a worker on its node.
  const dispatched = stats.dispatched ?? 0;
  const waiting = dispatched > 0 ? ` (${dispatched} dispatched, waiting for a worker)` : '';
  workers.textContent = `Workers busy: ${stats.running + dispatched} / ${stats.maxWorkers}${waiting}${stats.paused ? ' (paused)' : ''}`;
}

/** One bar per resource pool: used, then reserved, out of capacity. */
export function renderPools(container, resources) {
  container.replaceChildren(...Object.entries(resources).map(([name, pool]) => {
    const row = htmlElement('div', 'pool');
    row.dataset.name = name;
    htmlElement('span', 'pool-name', name, row);
    const bar = htmlElement('div', 'bar', undefined, row);
    const used = htmlElement('div', 'used', undefined, bar);
    const reserved = htmlElement('div', 'reserved', undefined, bar);
    const share = (amount) => (pool.capacity > 0 ? (100 * amount) / pool.capacity : 0);
    used.style.width = `${share(pool.used)}%`;
    reserved.style.left = `${share(pool.used)}%`;
    reserved.style.width = `${share(pool.reserved)}%`;
    htmlElement('span', 'pool-numbers', `${pool.used} used, ${pool.reserved} reserved / ${pool.capacity}`, row);
    return row;
  }));
}

function formatResources(resources, used) {
  const names = Object.keys(resources);
  return names.length === 0 ? '—' : names.map((name) => `${name} ${used[name] ?? 0}/${resources[name]}`).join(', ');
}

/** One row per node of a distributed run: up or down, workers, attempts, resources. */
export function renderNodes(body, note, nodes) {
  const up = nodes.filter((node) => node.isUp).length;
  note.textContent = `${up} of ${nodes.length} up`;
  body.replaceChildren(...nodes.map((node) => {
    const row = htmlElement('tr', `node-row ${node.isUp ? 'up' : 'down'}`);
    row.dataset.node = node.name;
    row.dataset.up = String(node.isUp);
    const cells = [node.name, node.isUp ? 'up' : 'down', `${node.workers} (${node.concurrency} slots)`, `${node.running} / ${node.placed}`, formatResources(node.resources, node.used)];
    for (const cell of cells) htmlElement('td', undefined, cell, row);
    return row;
  }));
}

/** The head of the ready queue, in dispatch order. */
export function renderQueue(list, note, queue, onSelect) {
  note.textContent = queue.length === 0 ? '(empty)' : '';
  list.replaceChildren(...queue.map((task) => {
    const item = htmlElement('li', undefined, `${task.id} (priority ${task.priority})`);
    item.dataset.taskId = task.id;
    item.addEventListener('click', () => onSelect(task.id));
    return item;
  }));
}

function formatTime(at, first) {
  const clock = at > 1e11 ? `${new Date(at).toLocaleTimeString()}.${String(at % 1000).padStart(3, '0')}` : `${at} ms`;
  return `${clock} (+${at - first} ms)`;
}

/** The selected task's history table and, while it is pending, why it waits. */
export function renderDetail(history, explanationBox, detail) {
  const first = detail.history[0]?.at ?? 0;
  history.replaceChildren(...detail.history.map((entry) => {
    const row = htmlElement('tr');
    for (const cell of [formatTime(entry.at, first), entry.from ?? '—', entry.to, entry.event]) htmlElement('td', undefined, cell, row);
    return row;
  }));
  explanationBox.replaceChildren();
  const explanation = detail.explanation;
  if (explanation) {
    htmlElement('div', 'summary', `Why not running: ${explanation.summary}`, explanationBox);
    const facts = htmlElement('ul', undefined, undefined, explanationBox);
    if (explanation.dependencies.length > 0) htmlElement('li', undefined, `waiting for: ${explanation.dependencies.join(', ')}`, facts);
    for (const [name, need] of Object.entries(explanation.resources)) htmlElement('li', undefined, `${name}: needs ${need.requested}, ${need.free} free`, facts);
    if (explanation.workersBusy && explanation.pendingReason !== 'dispatched') htmlElement('li', undefined, 'all workers are busy', facts);
    if (explanation.paused) htmlElement('li', undefined, 'the scheduler is paused', facts);
    if (explanation.aheadCount > 0) htmlElement('li', undefined, `${explanation.aheadCount} ready task(s) ahead: ${explanation.ahead.join(', ')}`, facts);
  } else if (detail.task.error) {
    htmlElement('div', 'summary', `Error: ${detail.task.error}`, explanationBox);
  }
  const measured = describeUsage(detail.task);
  if (measured) htmlElement('div', 'usage', measured, explanationBox);
}

const ESTIMATE_SOURCES = { declared: 'declared', task: 'learned from its runs', command: 'learned from its command under another name', type: "its type's", default: 'the default: nothing learned yet' };

/** `estimate 12.3 s (learned from its runs) · last attempt 1.2 s, peak 150 MiB, CPU 0.8 s`, or '' when nothing is known. */
function describeUsage(task) {
  const parts = [];
  if (task.estimateMs !== undefined && task.estimateMs !== null) {
    parts.push(`estimate ${(task.estimateMs / 1000).toFixed(1)} s${task.estimateSource ? ` (${ESTIMATE_SOURCES[task.estimateSource] ?? task.estimateSource})` : ''}`);
  }
  const usage = task.usage;
  if (usage) {
    const facts = [`${(usage.durationMs / 1000).toFixed(1)} s`];
    if (usage.peakRssBytes !== undefined && usage.peakRssBytes !== null) facts.push(`peak ${Math.round(usage.peakRssBytes / 2 ** 20)} MiB`);
    if (usage.cpuMs !== undefined && usage.cpuMs !== null) facts.push(`CPU ${(usage.cpuMs / 1000).toFixed(1)} s`);
    parts.push(`last attempt ${facts.join(', ')}`);
  }
  return parts.join(' · ');
}
