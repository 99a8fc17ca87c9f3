import type { QueuedTask, TaskStatus } from '../types.js';
import { checkDispatchOrder, checkPriorityOrder } from './checkDispatchOrder.js';
import { checkStarvation } from './checkStarvation.js';
import { InvariantViolationError, type InvariantViolation } from './InvariantViolationError.js';
import type { Trace, TraceEvent } from './types.js';

export { checkDispatchOrder, checkPriorityOrder, checkStarvation, InvariantViolationError };
export type { InvariantName, InvariantViolation } from './InvariantViolationError.js';

/** Options of {@link checkInvariants} and {@link assertInvariants}. */
export interface InvariantOptions {
  /**
   * The dispatch order the policy promises: `'priority'` (highest first, aged by
   * `agingRatePerMs`), or a comparator over queued tasks. Absent: order is not checked.
   */
  readonly order?: 'priority' | ((a: QueuedTask, b: QueuedTask) => number);
  /** The aging rate of the `priority` policy; above 0 the starvation bound is checked too. @default 0 */
  readonly agingRatePerMs?: number;
}

const FINAL: ReadonlySet<TaskStatus> = new Set(['completed', 'failed', 'cancelled']);
const LEGAL: ReadonlySet<string> = new Set([
  'null→pending',
  'pending→running',
  'running→pending',
  'running→completed',
  'running→failed',
  'running→cancelled',
  'pending→cancelled',
  'pending→failed',
]);

/** Replays the running set: calls `visit` at every `→ running` with the tasks running before it. */
function forEachStart(trace: Trace, visit: (event: TraceEvent, running: ReadonlySet<string>) => void): void {
  const running = new Set<string>();
  for (const event of trace.events) {
    if (event.to === 'running') {
      visit(event, running);
      running.add(event.task);
    } else if (event.from === 'running') {
      running.delete(event.task);
    }
  }
}

/**
 * Never more than `maxWorkers` tasks running at once.
 *
 * @example
 * expect(checkWorkers(trace)).toEqual([]);
 */
export function checkWorkers(trace: Trace): InvariantViolation[] {
  const violations: InvariantViolation[] = [];
  forEachStart(trace, (event, running) => {
    if (running.size + 1 > trace.maxWorkers) {
      violations.push({
        invariant: 'max-workers',
        time: event.time,
        tasks: [...running, event.task],
        message: `task "${event.task}" started as task ${running.size + 1} of at most ${trace.maxWorkers}`,
      });
    }
  });
  return violations;
}

/**
 * Never over-committed: the running tasks' requests never exceed a pool's capacity (a resource
 * with no pool has capacity 0).
 *
 * @example
 * expect(checkResources(trace)).toEqual([]);
 */
export function checkResources(trace: Trace): InvariantViolation[] {
  const requests = new Map(trace.tasks.map((task) => [task.id, task.resources]));
  const violations: InvariantViolation[] = [];
  forEachStart(trace, (event, running) => {
    for (const [name, amount] of Object.entries(requests.get(event.task) ?? {})) {
      let used = amount;
      for (const id of running) used += requests.get(id)?.[name] ?? 0;
      const capacity = trace.resources[name] ?? 0;
      if (used > capacity) {
        violations.push({
          invariant: 'over-commit',
          time: event.time,
          tasks: [...running, event.task],
          message: `task "${event.task}" started with ${name} at ${used} of capacity ${capacity}`,
        });
      }
    }
  });
  return violations;
}

/**
 * In a simulation with nodes, each node keeps its own limits: never more than its `maxWorkers`
 * running on it, never its own pools over-committed. Each node is checked as its own trace (the
 * attempts placed on it) with {@link checkWorkers} and {@link checkResources}; messages name it.
 *
 * @example
 * expect(checkNodes(trace)).toEqual([]);
 */
export function checkNodes(trace: Trace): InvariantViolation[] {
  const nodeOf = new Map<string, string>();
  const eventsOf = new Map<string, TraceEvent[]>();
  for (const event of trace.events) {
    const node = event.to === 'running' ? event.node : event.from === 'running' ? nodeOf.get(event.task) : undefined;
    if (event.to === 'running' && node !== undefined) nodeOf.set(event.task, node);
    if (node !== undefined) eventsOf.set(node, [...(eventsOf.get(node) ?? []), event]);
  }
  return Object.entries(trace.nodes ?? {}).flatMap(([name, spec]) => {
    const own: Trace = { ...trace, maxWorkers: spec.maxWorkers, resources: spec.resources ?? {}, events: eventsOf.get(name) ?? [] };
    return [...checkWorkers(own), ...checkResources(own)].map((v) => ({ ...v, message: `on node "${name}": ${v.message}` }));
  });
}

/**
 * No task starts before every dependency has completed (earlier in the trace).
 *
 * @example
 * expect(checkDependencies(trace)).toEqual([]);
 */
export function checkDependencies(trace: Trace): InvariantViolation[] {
  const dependencies = new Map(trace.tasks.map((task) => [task.id, task.dependencies]));
  const completed = new Set<string>();
  const violations: InvariantViolation[] = [];
  for (const event of trace.events) {
    if (event.to === 'completed') completed.add(event.task);
    if (event.to !== 'running') continue;
    const missing = (dependencies.get(event.task) ?? []).filter((id) => !completed.has(id));
    if (missing.length > 0) {
      violations.push({
        invariant: 'dependency-order',
        time: event.time,
        tasks: [event.task, ...missing],
        message: `task "${event.task}" started before its dependencies ${missing.map((id) => `"${id}"`).join(', ')} completed`,
      });
    }
  }
  return violations;
}

/**
 * Only legal transitions: scheduling (→ pending), pending → running, running → pending (retry),
 * running → completed / failed / cancelled, pending → cancelled / failed; nothing after a final
 * state, and each event's `from` is the task's previous state.
 *
 * @example
 * expect(checkTransitions(trace)).toEqual([]);
 */
export function checkTransitions(trace: Trace): InvariantViolation[] {
  const statusOf = new Map<string, TaskStatus>();
  const violations: InvariantViolation[] = [];
  for (const event of trace.events) {
    const previous = statusOf.get(event.task) ?? null;
    const step = `${event.from ?? 'null'}→${event.to}`;
    if (event.from !== previous || !LEGAL.has(step)) {
      violations.push({
        invariant: 'illegal-transition',
        time: event.time,
        tasks: [event.task],
        message: `task "${event.task}" went ${step} while it was ${previous ?? 'unknown'}`,
      });
    }
    statusOf.set(event.task, event.to);
  }
  return violations;
}

/**
 * Every task of the trace ends in a final state (completed, failed or cancelled).
 *
 * @example
 * expect(checkCompletion(trace)).toEqual([]);
 */
export function checkCompletion(trace: Trace): InvariantViolation[] {
  const last = new Map<string, TraceEvent>();
  for (const event of trace.events) last.set(event.task, event);
  const end = trace.events.at(-1)?.time ?? 0;
  return trace.tasks.flatMap((task): InvariantViolation[] => {
    const status = last.get(task.id)?.to;
    if (status !== undefined && FINAL.has(status)) return [];
    return [
      {
        invariant: 'not-final',
        time: end,
        tasks: [task.id],
        message: `task "${task.id}" ended the trace ${status ?? 'without any event'}`,
      },
    ];
  });
}

/**
 * Runs every check that applies: the structural ones always, each node's limits when the trace
 * has nodes, dispatch order with `order`, the starvation bound when `agingRatePerMs > 0`. Returns all violations, in check order.
 *
 * @example
 * const violations = checkInvariants(trace, { order: 'priority', agingRatePerMs: agingRatePerMs(1.2) });
 */
export function checkInvariants(trace: Trace, options: InvariantOptions = {}): InvariantViolation[] {
  const rate = options.agingRatePerMs ?? 0;
  const order =
    options.order === undefined
      ? []
      : options.order === 'priority'
        ? checkPriorityOrder(trace, { agingRatePerMs: rate })
        : checkDispatchOrder(trace, options.order);
  return [
    ...checkTransitions(trace),
    ...checkCompletion(trace),
    ...checkWorkers(trace),
    ...checkResources(trace),
    ...checkDependencies(trace),
    ...(trace.nodes === undefined ? [] : checkNodes(trace)),
    ...order,
    ...(rate > 0 ? checkStarvation(trace, { agingRatePerMs: rate }) : []),
  ];
}

/**
 * Throws an {@link InvariantViolationError} listing every violation {@link checkInvariants} finds.
 *
 * @example
 * import { it } from 'vitest';
 * it('keeps every invariant', async () => {
 *   const { trace } = await simulate(workload, { policy: myPolicy, maxWorkers: 2 });
 *   assertInvariants(trace, { order: myPolicyCompare });
 * });
 */
export function assertInvariants(trace: Trace, options: InvariantOptions = {}): void {
  const violations = checkInvariants(trace, options);
  if (violations.length > 0) throw new InvariantViolationError(violations);
}
