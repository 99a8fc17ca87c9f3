// The smaller panels: counters, workers and pools, nodes, the queue, a resumed run, the selected task.
import type { QueuedTask, RecoveredRun, SchedulerStats } from '../../types.js';
import type { NodeView, TaskDetail, TaskView } from '../protocol.js';
import { htmlElement } from './dom.js';

const COUNTERS = ['pending', 'running', 'completed', 'failed', 'cancelled'] as const;

/** The header's counters and the workers line. */
export function renderCounters(list: HTMLElement, workers: HTMLElement, stats: SchedulerStats): void {
  list.replaceChildren(
    ...COUNTERS.map((name) => {
      const item = htmlElement('li', `counter-${name}`, `${name} `);
      htmlElement('span', undefined, stats[name], item);
      return item;
    }),
  );
  // A dispatched task holds its worker slot while its job waits for a worker on its node.
  const dispatched = stats.dispatched ?? 0;
  const waiting = dispatched > 0 ? ` (${dispatched} dispatched, waiting for a worker)` : '';
  workers.textContent = `Workers busy: ${stats.running + dispatched} / ${stats.maxWorkers}${waiting}${stats.paused ? ' (paused)' : ''}`;
}

/** One bar per resource pool: used, then reserved, out of capacity. */
export function renderPools(container: HTMLElement, resources: SchedulerStats['resources']): void {
  container.replaceChildren(
    ...Object.entries(resources).map(([name, pool]) => {
      const row = htmlElement('div', 'pool');
      row.dataset['name'] = name;
      htmlElement('span', 'pool-name', name, row);
      const bar = htmlElement('div', 'bar', undefined, row);
      const used = htmlElement('div', 'used', undefined, bar);
      const reserved = htmlElement('div', 'reserved', undefined, bar);
      const share = (amount: number): number => (pool.capacity > 0 ? (100 * amount) / pool.capacity : 0);
      used.style.width = `${share(pool.used)}%`;
      reserved.style.left = `${share(pool.used)}%`;
      reserved.style.width = `${share(pool.reserved)}%`;
      htmlElement('span', 'pool-numbers', `${pool.used} used, ${pool.reserved} reserved / ${pool.capacity}`, row);
      return row;
    }),
  );
}

function formatResources(resources: Readonly<Record<string, number>>, used: Readonly<Record<string, number>>): string {
  const names = Object.keys(resources);
  return names.length === 0 ? '—' : names.map((name) => `${name} ${used[name] ?? 0}/${resources[name]}`).join(', ');
}

/** One row per node of a distributed run: up or down, workers, attempts, resources. */
export function renderNodes(body: HTMLElement, note: HTMLElement, nodes: readonly NodeView[]): void {
  note.textContent = `${nodes.filter((node) => node.isUp).length} of ${nodes.length} up`;
  body.replaceChildren(
    ...nodes.map((node) => {
      const row = htmlElement('tr', `node-row ${node.isUp ? 'up' : 'down'}`);
      row.dataset['node'] = node.name;
      row.dataset['up'] = String(node.isUp);
      const cells = [node.name, node.isUp ? 'up' : 'down', `${node.workers} (${node.concurrency} slots)`, `${node.running} / ${node.placed}`, formatResources(node.resources, node.used)];
      for (const cell of cells) htmlElement('td', undefined, cell, row);
      return row;
    }),
  );
}

/** The head of the ready queue, in dispatch order. */
export function renderQueue(list: HTMLElement, note: HTMLElement, queue: readonly QueuedTask[], onSelect: (id: string) => void): void {
  note.textContent = queue.length === 0 ? '(empty)' : '';
  list.replaceChildren(
    ...queue.map((task) => {
      const item = htmlElement('li', undefined, `${task.id} (priority ${task.priority})`);
      item.dataset['taskId'] = task.id;
      item.addEventListener('click', () => onSelect(task.id));
      return item;
    }),
  );
}

/** What a resumed run recovered from its store, with its interrupted attempts (hidden for a fresh run). */
export function renderRecovered(panel: HTMLElement, recovered: RecoveredRun | undefined, onSelect: (id: string) => void): void {
  panel.hidden = recovered === undefined;
  if (recovered === undefined) return;
  const { finished } = recovered;
  const summary = htmlElement('p', undefined, `Resumed from its store: ${recovered.tasks} tasks (${finished.completed} completed, ${finished.failed} failed, ${finished.cancelled} cancelled before; ${recovered.pending} pending), ${recovered.interrupted.length} interrupted attempt(s), ${recovered.stopped.length} stopped, ${recovered.unrecoverable.length} unrecoverable.`);
  const list = htmlElement('ul', 'interrupted');
  for (const { id, attempt } of recovered.interrupted) {
    const item = htmlElement('li', undefined, `${id}: attempt ${attempt} interrupted`, list);
    item.dataset['taskId'] = id;
    item.addEventListener('click', () => onSelect(id));
  }
  panel.replaceChildren(htmlElement('h3', undefined, 'Resumed run'), summary, list);
}

/** A time of the history: the clock time (or the clock's ms, for a clock that is not the epoch's), and the offset from the first entry. */
function formatTime(at: number, first: number): { clock: string; offset: string } {
  const clock = at > 1e11 ? `${new Date(at).toLocaleTimeString('en-GB')}.${String(at % 1000).padStart(3, '0')}` : `${at} ms`;
  const elapsed = at - first;
  return { clock, offset: elapsed < 10_000 ? `+${elapsed} ms` : `+${(elapsed / 1000).toFixed(1)} s` };
}

const ESTIMATE_SOURCES: Readonly<Record<string, string>> = {
  declared: 'declared',
  task: 'learned from its runs',
  command: 'learned from its command under another name',
  type: "its type's",
  default: 'the default: nothing learned yet',
};

/** `estimate 12.3 s (learned from its runs) · last attempt 1.2 s, peak 150 MiB, CPU 0.8 s`, or '' when nothing is known. */
function describeUsage(task: TaskDetail['task']): string {
  const parts: string[] = [];
  // Only what the scheduler says it planned with, and from where (a detail without a source is not ours to explain).
  if (task.estimateMs !== undefined && task.estimateSource !== undefined) {
    parts.push(`estimate ${(task.estimateMs / 1000).toFixed(1)} s (${ESTIMATE_SOURCES[task.estimateSource] ?? task.estimateSource})`);
  }
  const usage = task.usage;
  if (usage !== undefined) {
    const measured = [`${(usage.durationMs / 1000).toFixed(1)} s`];
    if (usage.peakRssBytes !== undefined) measured.push(`peak ${Math.round(usage.peakRssBytes / 2 ** 20)} MiB`);
    if (usage.cpuMs !== undefined) measured.push(`CPU ${(usage.cpuMs / 1000).toFixed(1)} s`);
    parts.push(`last attempt ${measured.join(', ')}`);
  }
  return parts.join(' · ');
}

/** The selected task's facts, history table and, while it is pending, why it waits. */
export function renderDetail(facts: HTMLElement, history: HTMLElement, explanationBox: HTMLElement, detail: TaskDetail, task: TaskView | undefined, onSelect: (id: string) => void): void {
  const first = detail.history[0]?.at ?? 0;
  history.replaceChildren(
    ...detail.history.map((entry) => {
      const row = htmlElement('tr');
      const { clock, offset } = formatTime(entry.at, first);
      htmlElement('td', undefined, offset, row).title = clock;
      for (const cell of [entry.from ?? '—', entry.to, entry.event]) htmlElement('td', undefined, cell, row);
      return row;
    }),
  );
  const shown = task ?? detail.task;
  facts.replaceChildren();
  const line = (text: string): HTMLElement => htmlElement('li', undefined, text, facts);
  line(`attempt ${shown.attempts} of ${detail.task.maxAttempts} · group ${detail.task.group}${shown.type === undefined ? '' : ` · type ${shown.type}`}${shown.node === undefined ? '' : ` · node ${shown.node}`}`);
  if (shown.cached === true) line('result from the cache: it did not run');
  const usage = describeUsage(detail.task);
  if (usage !== '') line(usage);
  if (shown.dependencies.length > 0) line(`depends on ${shown.dependencies.length}: ${shown.dependencies.slice(0, 12).join(', ')}${shown.dependencies.length > 12 ? '…' : ''}`);
  if (shown.children !== undefined && shown.children.length > 0) {
    const item = line(`children (${shown.children.length}): `);
    for (const child of shown.children) {
      const link = htmlElement('button', 'link child', child, item);
      link.type = 'button';
      link.addEventListener('click', () => onSelect(child));
    }
  }
  explanationBox.replaceChildren();
  const explanation = detail.explanation;
  if (explanation) {
    htmlElement('div', 'summary', `Why not running: ${explanation.summary}`, explanationBox);
    const list = htmlElement('ul', undefined, undefined, explanationBox);
    if (explanation.dependencies.length > 0) htmlElement('li', undefined, `waiting for: ${explanation.dependencies.join(', ')}`, list);
    for (const [name, need] of Object.entries(explanation.resources)) htmlElement('li', undefined, `${name}: needs ${need.requested}, ${need.free} free`, list);
    if (explanation.workersBusy && explanation.pendingReason !== 'dispatched') htmlElement('li', undefined, 'all workers are busy', list);
    if (explanation.paused) htmlElement('li', undefined, 'the scheduler is paused', list);
    if (explanation.aheadCount > 0) htmlElement('li', undefined, `${explanation.aheadCount} ready task(s) ahead: ${explanation.ahead.join(', ')}`, list);
  } else if (detail.task.error !== undefined) {
    htmlElement('div', 'summary', `Error: ${detail.task.error}`, explanationBox);
  }
}
