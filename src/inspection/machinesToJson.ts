import type { AnyStateMachine } from 'xstate';
import type { DependencyGraphEvent } from '../../machines/dependencyGraphLogic.js';
import type { PriorityHeapEvent } from '../../machines/priorityHeapLogic.js';
import type { ResourcePoolEvent } from '../../machines/resourcePoolLogic.js';
import { taskMachine } from '../../machines/taskMachine.js';
import type { SchedulerEvent } from '../core/Supervisor.js';
import type { EventDocs } from './EventDocs.js';

/** A statechart, as the Stately editor and visualizer read it. */
export interface StatechartJson {
  readonly name: string;
  readonly kind: 'statechart';
  readonly description: string;
  /** The machine's config, as written (functions become their names, inline ones disappear). */
  readonly config: unknown;
  /** The resolved definition, `machine.toJSON()`: every state node with ids, transitions and targets. */
  readonly definition: unknown;
}

/** Custom actor logic (not a statechart), described by the events it accepts. */
export interface ActorLogicJson {
  readonly name: string;
  readonly kind: 'actor-logic';
  readonly description: string;
  readonly events: readonly { readonly type: string; readonly description: string; readonly payload: readonly string[] }[];
}

/** One entry of {@link machinesToJson}. */
export type MachineJson = StatechartJson | ActorLogicJson;

function toPlainJson(value: unknown): unknown {
  return JSON.parse(JSON.stringify(value, (_key, field: unknown) => (typeof field === 'function' ? { type: (field as { name: string }).name || 'anonymous' } : field))) as unknown;
}

function statechart(name: string, description: string, machine: AnyStateMachine): StatechartJson {
  return { name, kind: 'statechart', description, config: toPlainJson(machine.config), definition: toPlainJson(machine.toJSON()) };
}

function actorLogic(name: string, description: string, docs: Readonly<Record<string, { description: string; payload: readonly PropertyKey[] }>>): ActorLogicJson {
  const events = Object.entries(docs).map(([type, doc]) => ({ type, description: doc.description, payload: doc.payload.map(String) }));
  return { name, kind: 'actor-logic', description, events };
}

const schedulerEvents = {
  'scheduler.schedule': { description: 'Adds a validated batch of tasks: creates a task actor for each and pumps.', payload: ['batch'] },
  'scheduler.restore': { description: 'Rebuilds a run from its store: finished records, live actors in their stored states.', payload: ['states', 'options'] },
  'scheduler.pump': { description: 'Starts ready tasks while a worker slot and their resources are free.', payload: [] },
  'scheduler.execute': { description: 'Starts one ready task now, ignoring the queue order.', payload: ['id'] },
  'scheduler.cancel': { description: 'Cancels a pending or running task; cascades to its dependents.', payload: ['id', 'reason'] },
  'scheduler.priority': { description: "Changes a pending task's priority and reorders the queue.", payload: ['id', 'priority'] },
  'scheduler.pause': { description: 'Stops dispatching; running tasks go on.', payload: [] },
  'scheduler.resume': { description: 'Resumes dispatching.', payload: [] },
  'scheduler.stop': { description: 'Cancels everything pending or running and stops.', payload: ['reason'] },
  'xstate.done.actor.<taskId>': { description: 'A task actor reached a final state: release, tell the graph, pump.', payload: [] },
} satisfies EventDocs<SchedulerEvent>;

const resourcePoolEvents = {
  'pool.allocate': { description: 'Gives an owner (task id) the amounts it requests; never over-commits.', payload: ['owner', 'request'] },
  'pool.release': { description: 'Frees everything an owner holds.', payload: ['owner'] },
  'pool.reserve': { description: 'Sets aside amounts for higher-ranked tasks waiting for resources.', payload: ['amounts'] },
} satisfies EventDocs<ResourcePoolEvent>;

const dependencyGraphEvents = {
  'graph.add': { description: 'Adds a batch of tasks and their dependency edges.', payload: ['batch'] },
  'graph.completed': { description: 'A task completed: computes which dependents are now unblocked.', payload: ['id'] },
  'graph.abandoned': { description: 'A task failed or was cancelled: computes which dependents can never run.', payload: ['id', 'outcome'] },
  'graph.forget': { description: 'Drops finished tasks from the graph.', payload: ['ids'] },
} satisfies EventDocs<DependencyGraphEvent>;

const priorityHeapEvents = {
  'queue.push': { description: 'Adds ready tasks (a whole batch at once) in the order the policy keeps.', payload: ['tasks'] },
  'queue.remove': { description: 'Removes a task from the ready queue.', payload: ['id'] },
  'queue.update': { description: 'Reorders a task after its priority changed.', payload: ['task'] },
} satisfies EventDocs<PriorityHeapEvent>;

/**
 * Every machine and actor logic of the scheduler as JSON: the task statechart (config and
 * resolved definition, for the Stately editor and visualizer), and the custom actor logics
 * (scheduler supervisor, resource pool, dependency graph, priority heap) described by their events.
 *
 * @example
 * const [task] = machinesToJson();
 * task.kind; // 'statechart'
 */
export function machinesToJson(): MachineJson[] {
  return [
    statechart('task', 'The life of one task: pending (dependencies, queued, backoff, paused) → running → completed | failed | cancelled.', taskMachine),
    actorLogic('scheduler', 'The supervisor (root actor): creates one task actor per task and runs the dispatch loop.', schedulerEvents),
    actorLogic('resourcePool', 'Allocates, reserves and releases pool resources against fixed capacities.', resourcePoolEvents),
    actorLogic('dependencyGraph', 'Tracks which tasks are unblocked and cascades failures and cancellations.', dependencyGraphEvents),
    actorLogic('priorityHeap', 'The ready queue, in the order the scheduling policy decides.', priorityHeapEvents),
  ];
}
