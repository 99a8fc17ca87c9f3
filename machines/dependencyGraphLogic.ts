import { Dag, type DagInput } from '../src/internal/Dag.js';
import { fromMutable } from './fromMutable.js';

/** The dependency graph's state: the DAG and what the last event released or doomed. */
export interface DependencyGraphContext {
  readonly dag: Dag;
  /** Tasks the last `graph.completed` made ready. */
  unblocked: readonly string[];
  /** Direct dependents of the task the last `graph.abandoned` named: they can never run. */
  doomed: readonly string[];
}

/** Events of the dependency-graph actor. */
export type DependencyGraphEvent =
  | { type: 'graph.add'; batch: readonly DagInput[] }
  | { type: 'graph.completed'; id: string }
  | { type: 'graph.abandoned'; id: string; outcome: 'failed' | 'cancelled' }
  | { type: 'graph.forget'; ids: readonly string[] };

/** The dependency-graph actor: which tasks are unblocked, and whom a failure or cancel cascades to. */
export const dependencyGraphLogic = fromMutable<DependencyGraphContext, DependencyGraphEvent>(
  () => ({ dag: new Dag(), unblocked: [], doomed: [] }),
  (context, event) => {
    switch (event.type) {
      case 'graph.add':
        context.dag.add(event.batch);
        return;
      case 'graph.completed':
        context.unblocked = context.dag.complete(event.id);
        return;
      case 'graph.abandoned':
        context.doomed = context.dag.abandon(event.id, event.outcome);
        return;
      case 'graph.forget':
        for (const id of event.ids) context.dag.remove(id);
        return;
    }
  },
);
