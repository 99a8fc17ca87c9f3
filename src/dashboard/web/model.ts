// What the page knows of the run, kept up to date from the server's snapshot and patches.
import type { StatechartOutline } from '../../inspection/toStatechartOutline.js';
import type { QueuedTask, RecoveredRun, SchedulerStats } from '../../types.js';
import type { DashboardMessage, NodeView, RunView, TaskDetail, TaskView } from '../protocol.js';

/** Attempts kept by the page: past this, the oldest are dropped, so its memory stays bounded. */
export const PAGE_RUN_LIMIT = 200_000;

export interface PageModel {
  tasks: Map<string, TaskView>;
  /** Every attempt known, oldest first (by when the page heard of it). */
  runs: RunView[];
  stats: SchedulerStats | null;
  queue: readonly QueuedTask[];
  statechart: StatechartOutline | null;
  canControl: boolean;
  nodes: readonly NodeView[] | null;
  recovered: RecoveredRun | undefined;
  /** Server time of the last message. */
  at: number;
  selectedId: string | null;
  detail: TaskDetail | null;
  /** Bumped when tasks are added or removed (the graph's shape may change). */
  shapeVersion: number;
  /** Bumped on any change. */
  version: number;
  /** Bumped when runs change. */
  runsVersion: number;
}

export function createModel(): PageModel {
  return { tasks: new Map(), runs: [], stats: null, queue: [], statechart: null, canControl: false, nodes: null, recovered: undefined, at: 0, selectedId: null, detail: null, shapeVersion: 0, version: 0, runsVersion: 0 };
}

const runIndex = new WeakMap<PageModel, Map<string, number>>();
const runKey = (run: Pick<RunView, 'task' | 'attempt'>): string => `${run.task}#${run.attempt}`;

function upsertRuns(model: PageModel, runs: readonly RunView[]): void {
  let index = runIndex.get(model);
  if (index === undefined) {
    index = new Map();
    runIndex.set(model, index);
  }
  for (const run of runs) {
    const key = runKey(run);
    const at = index.get(key);
    if (at === undefined) {
      index.set(key, model.runs.length);
      model.runs.push(run);
    } else model.runs[at] = run;
  }
  if (model.runs.length > PAGE_RUN_LIMIT) {
    model.runs = model.runs.slice(model.runs.length - Math.floor(PAGE_RUN_LIMIT * 0.9));
    index.clear();
    model.runs.forEach((run, position) => index.set(runKey(run), position));
  }
  if (runs.length > 0) model.runsVersion += 1;
}

/**
 * Applies a server message: a snapshot replaces everything, a patch upserts tasks and runs and
 * removes the tasks the scheduler dropped. Returns whether the selected task changed (its detail
 * should be read again).
 */
export function applyMessage(model: PageModel, message: DashboardMessage): boolean {
  let selectedChanged = false;
  if (message.type === 'snapshot') {
    model.tasks = new Map(message.tasks.map((task) => [task.id, task]));
    model.runs = [];
    runIndex.delete(model);
    upsertRuns(model, message.runs);
    model.runsVersion += 1;
    model.canControl = message.canControl;
    model.statechart = message.statechart;
    model.nodes = message.nodes;
    model.recovered = message.recovered;
    model.shapeVersion += 1;
    selectedChanged = model.selectedId !== null;
  } else {
    for (const task of message.tasks) {
      if (!model.tasks.has(task.id)) model.shapeVersion += 1;
      model.tasks.set(task.id, task);
      if (task.id === model.selectedId) selectedChanged = true;
    }
    for (const id of message.removed) if (model.tasks.delete(id)) model.shapeVersion += 1;
    upsertRuns(model, message.runs);
    if (message.statechart !== undefined) model.statechart = message.statechart;
    if (message.nodes !== undefined) model.nodes = message.nodes;
  }
  model.stats = message.stats;
  model.queue = message.queue;
  model.at = message.at;
  model.version += 1;
  return selectedChanged;
}
