/** The parts of a state node's JSON (`machine.toJSON()`) that an outline reads. */
export interface StateNodeJson {
  readonly id: string;
  readonly key: string;
  readonly type: string;
  readonly initial?: { readonly target?: readonly TargetJson[] } | undefined;
  readonly states?: Readonly<Record<string, StateNodeJson>> | undefined;
  readonly transitions?: readonly { readonly target?: readonly TargetJson[]; readonly eventType: string }[] | undefined;
}

/** A transition target: `'#id'` once serialized, the state node itself in `toJSON()`'s raw result. */
export type TargetJson = string | { readonly id: string };

function targetId(target: TargetJson): string {
  return typeof target === 'string' ? target.replace(/^#/, '') : target.id;
}

/** One state of a {@link StatechartOutline}. */
export interface OutlineState {
  /** The state node's id, e.g. `task.pending.queued`. */
  readonly id: string;
  /** Dotted path from the root, as {@link stateValueToPath} writes active states: `pending.queued`. */
  readonly path: string;
  /** The state's own key, for labels. */
  readonly key: string;
  /** Id of the enclosing state, or null for top-level states. */
  readonly parent: string | null;
  /** `atomic`, `compound`, `parallel`, `final` or `history`. */
  readonly type: string;
  /** True when it is its parent's initial state. */
  readonly isInitial: boolean;
}

/** One transition of a {@link StatechartOutline}. */
export interface OutlineTransition {
  readonly source: string;
  readonly target: string;
  /** The event's type, or `after <delay>` for a delayed transition. */
  readonly event: string;
}

/** A flat, drawable view of a statechart: states with parents, and labelled transitions. */
export interface StatechartOutline {
  readonly id: string;
  readonly states: readonly OutlineState[];
  readonly transitions: readonly OutlineTransition[];
}

const AFTER_PREFIX = 'xstate.after.';

function eventLabel(eventType: string, sourceId: string): string {
  if (!eventType.startsWith(AFTER_PREFIX)) return eventType;
  const delay = eventType.slice(AFTER_PREFIX.length, eventType.length - sourceId.length - 1);
  return `after ${delay}`;
}

/**
 * Flattens a machine's JSON definition (`machine.toJSON()`, or `machine.definition`) into states
 * and transitions that a page can lay out and draw. Transitions without a target (actions only)
 * are left out: they do not move the machine. Eventless (`always`) transitions are not part of
 * XState's JSON definition, so they do not appear either.
 *
 * @example
 * const outline = toStatechartOutline(taskMachine.toJSON());
 * outline.states.find((s) => s.path === 'pending.queued'); // { id: 'task.pending.queued', … }
 */
export function toStatechartOutline(root: StateNodeJson): StatechartOutline {
  const states: OutlineState[] = [];
  const transitions: OutlineTransition[] = [];
  const visit = (node: StateNodeJson, path: string, parent: string | null, isInitial: boolean): void => {
    if (parent !== null || path !== '') {
      states.push({ id: node.id, path, key: node.key, parent, type: node.type, isInitial });
    }
    for (const transition of node.transitions ?? []) {
      for (const target of transition.target ?? []) {
        transitions.push({ source: node.id, target: targetId(target), event: eventLabel(transition.eventType, node.id) });
      }
    }
    const initialTargets = new Set((node.initial?.target ?? []).map(targetId));
    const childParent = path === '' ? null : node.id;
    for (const [key, child] of Object.entries(node.states ?? {})) {
      visit(child, path === '' ? key : `${path}.${key}`, childParent, initialTargets.has(child.id));
    }
  };
  visit(root, '', null, false);
  return { id: root.id, states, transitions };
}
