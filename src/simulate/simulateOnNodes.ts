import { LOAD_BALANCING } from '../distributed/DistributedOptions.js';
import type { PolicyContext, QueuedTask, SchedulingPolicy } from '../types.js';
import { placeTask, type NodeState } from './placeTask.js';
import type { SimulatedLoadBalancing, SimulatedNode, SimulationTask, Trace, TraceEvent, TraceTask } from './types.js';

/** Every load-balancing mode of the simulator: the distributed run's, and `earliest_finish`. */
export const LOAD_BALANCING_MODES: readonly SimulatedLoadBalancing[] = [...LOAD_BALANCING, 'earliest_finish'];

interface Running {
  readonly task: QueuedTask;
  readonly end: number;
  readonly node: NodeState;
  readonly slot: number;
  /** Its entry in `node.ends`. */
  readonly expected: NodeState['ends'][number];
}

/**
 * Runs tasks on a cluster of unequal nodes as a discrete-event simulation and returns its trace.
 * The policy's own `ReadyQueue` orders the ready tasks, as in the scheduler's pump; each task, in
 * that order, is placed by `loadBalancing` (see {@link placeTask}) on a node with a free worker
 * and room for its request, and runs for its duration ÷ the node's speed. With
 * `earliest_finish`, a task whose best node is busy waits for it and keeps it for itself, while
 * tasks ranked after it use the other nodes. A task set aside for lack of room reserves nothing.
 * Throws when a task fits on no node at all.
 *
 * @example
 * const trace = simulateOnNodes(tasks, [1000, 2000], criticalPathPolicy(), { fast: { maxWorkers: 2, speed: 2 } }, 'earliest_finish');
 */
export function simulateOnNodes(
  tasks: readonly SimulationTask[],
  durations: readonly number[],
  policy: SchedulingPolicy,
  specs: Readonly<Record<string, SimulatedNode>>,
  loadBalancing: SimulatedLoadBalancing,
): Trace {
  const nodes = Object.entries(specs).map(([name, spec]) => checkNode(name, spec));
  const offsets = nodes.map((_, at) => nodes.slice(0, at).reduce((sum, node) => sum + node.maxWorkers, 0));
  const busySlots = nodes.map(() => new Set<number>());
  const byId = new Map(tasks.map((task, at) => [task.id, { task, at }]));
  const dependents = new Map<string, string[]>();
  for (const task of tasks) for (const dependency of task.dependencies) dependents.set(dependency, [...(dependents.get(dependency) ?? []), task.id]);
  const waitingOn = new Map(tasks.map((task) => [task.id, task.dependencies.length]));
  let time = 0;
  const context: PolicyContext = {
    now: () => time,
    dependentsOf: (id) => dependents.get(id) ?? [],
    estimateOf: (id) => byId.get(id)?.task.estimateMs,
  };
  const queue = policy.createQueue(context);
  const traceTasks: TraceTask[] = tasks.map((task, at) => ({
    id: task.id,
    priority: task.priority,
    group: task.group,
    dependencies: [...task.dependencies],
    resources: task.resources,
    estimateMs: task.estimateMs ?? null,
    seq: at + 1,
  }));
  const events: TraceEvent[] = tasks.map((task) => ({ time: 0, task: task.id, from: null, to: 'pending' }));
  const enqueue = (task: SimulationTask): void =>
    queue.push({ id: task.id, priority: task.priority, seq: (byId.get(task.id)?.at ?? 0) + 1, readyAt: time, estimateMs: task.estimateMs, group: task.group, resources: task.resources });
  for (const task of tasks) if (task.dependencies.length === 0) enqueue(task);
  const running: Running[] = [];
  const cursor = { next: 0 };

  const start = (task: QueuedTask, node: NodeState): void => {
    const index = nodes.indexOf(node);
    const slots = busySlots[index] as Set<number>;
    let slot = 0;
    while (slots.has(slot)) slot += 1;
    slots.add(slot);
    queue.remove(task.id);
    node.running += 1;
    for (const [name, amount] of Object.entries(task.resources)) node.free[name] = (node.free[name] ?? 0) - amount;
    const expected = { at: time + (task.estimateMs ?? 0) / node.speed, resources: task.resources };
    node.ends.push(expected);
    const durationMs = Math.round((durations[byId.get(task.id)?.at ?? 0] ?? 0) / node.speed);
    running.push({ task, end: time + durationMs, node, slot, expected });
    policy.onStart?.(task);
    events.push({ time, task: task.id, from: 'pending', to: 'running', attempt: 1, worker: (offsets[index] ?? 0) + slot, readyAt: task.readyAt, node: node.name });
  };

  const dispatch = (): void => {
    const held = new Set<NodeState>();
    for (const task of queue.ordered(queue.size)) {
      const open = nodes.filter((node) => !held.has(node));
      if (open.every((node) => node.running >= node.maxWorkers)) break;
      const placed = placeTask({ resources: task.resources, estimateMs: task.estimateMs ?? 0 }, open, loadBalancing, { now: time, cursor });
      const node = placed === undefined ? undefined : open[placed.node];
      if (placed === undefined || node === undefined) continue;
      if (placed.waits) held.add(node);
      else start(task, node);
    }
  };

  const finish = (done: Running): void => {
    const index = nodes.indexOf(done.node);
    busySlots[index]?.delete(done.slot);
    done.node.running -= 1;
    for (const [name, amount] of Object.entries(done.task.resources)) done.node.free[name] = (done.node.free[name] ?? 0) + amount;
    done.node.ends.splice(done.node.ends.indexOf(done.expected), 1);
    policy.onFinish?.(done.task);
    events.push({ time, task: done.task.id, from: 'running', to: 'completed' });
    for (const id of dependents.get(done.task.id) ?? []) {
      const left = (waitingOn.get(id) ?? 0) - 1;
      waitingOn.set(id, left);
      if (left === 0) enqueue(byId.get(id)?.task as SimulationTask);
    }
  };

  for (;;) {
    dispatch();
    if (running.length === 0) break;
    time = Math.min(...running.map((run) => run.end));
    const due = running.filter((run) => run.end === time);
    for (const run of due) running.splice(running.indexOf(run), 1);
    for (const run of due) finish(run);
  }
  if (queue.size > 0) {
    const stuck = queue.ordered(queue.size).map((task) => `"${task.id}"`);
    throw new Error(`simulate: expected every task to fit on some node, but ${stuck.join(', ')} fit on none of ${nodes.map((n) => n.name).join(', ')}`);
  }
  const resources: Record<string, number> = {};
  for (const node of nodes) for (const [name, amount] of Object.entries(node.capacity)) resources[name] = (resources[name] ?? 0) + amount;
  const maxWorkers = nodes.reduce((sum, node) => sum + node.maxWorkers, 0);
  return { policy: policy.name, maxWorkers, resources, tasks: traceTasks, events, nodes: specs, loadBalancing };
}

function checkNode(name: string, spec: SimulatedNode): NodeState {
  const field = (key: string, expected: string, found: unknown): TypeError =>
    new TypeError(`simulate: expected nodes.${name}.${key} to be ${expected}, received ${JSON.stringify(found)}`);
  if (!Number.isInteger(spec.maxWorkers) || spec.maxWorkers < 1) throw field('maxWorkers', 'an integer >= 1', spec.maxWorkers);
  const speed = spec.speed ?? 1;
  if (!Number.isFinite(speed) || speed <= 0) throw field('speed', 'a finite number > 0', spec.speed);
  for (const [resource, amount] of Object.entries(spec.resources ?? {})) {
    if (!Number.isFinite(amount) || amount < 0) throw field(`resources.${resource}`, 'a finite number >= 0', amount);
  }
  const capacity = { ...(spec.resources ?? {}) };
  return { name, maxWorkers: spec.maxWorkers, speed, capacity, running: 0, free: { ...capacity }, ends: [] };
}
