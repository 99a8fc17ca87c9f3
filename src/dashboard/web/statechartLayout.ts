// The task statechart as an ELK graph (layered, compound states holding their children, one edge
// per pair of states with the events as its label), and which edge a transition took.
import type { OutlineState, StatechartOutline } from '../../inspection/toStatechartOutline.js';

/** The parts of ELK's JSON graph used here (elkjs' own types, narrowed). */
export interface ElkLabel {
  readonly text: string;
  readonly width: number;
  readonly height: number;
  x?: number;
  y?: number;
}
export interface ElkNode {
  readonly id: string;
  width?: number;
  height?: number;
  x?: number;
  y?: number;
  readonly labels?: ElkLabel[];
  readonly children?: ElkNode[];
  readonly edges?: ElkEdge[];
  readonly layoutOptions?: Record<string, string>;
}
export interface ElkEdge {
  readonly id: string;
  readonly sources: string[];
  readonly targets: string[];
  readonly labels?: ElkLabel[];
  sections?: { startPoint: { x: number; y: number }; endPoint: { x: number; y: number }; bendPoints?: { x: number; y: number }[] }[];
}

/** One drawn edge: a pair of states and every event that moves the machine between them. */
export interface ChartEdge {
  readonly id: string;
  readonly source: OutlineState;
  readonly target: OutlineState;
  readonly events: string[];
}

const CHAR_WIDTH = 6.6;
const LINE_HEIGHT = 14;

/** Edges between distinct states, one per ordered pair, events in the order the machine lists them. */
export function chartEdges(outline: StatechartOutline): ChartEdge[] {
  const states = new Map(outline.states.map((state) => [state.id, state]));
  const edges = new Map<string, ChartEdge>();
  for (const transition of outline.transitions) {
    const source = states.get(transition.source);
    const target = states.get(transition.target);
    if (source === undefined || target === undefined || source === target) continue;
    const id = `${source.id}->${target.id}`;
    const edge = edges.get(id);
    if (edge === undefined) edges.set(id, { id, source, target, events: [transition.event] });
    else if (!edge.events.includes(transition.event)) edge.events.push(transition.event);
  }
  return [...edges.values()];
}

function labelOf(events: readonly string[]): ElkLabel {
  return { text: events.join('\n'), width: Math.max(...events.map((event) => event.length)) * CHAR_WIDTH + 6, height: events.length * LINE_HEIGHT + 2 };
}

/**
 * The ELK graph of a statechart: layered top to bottom (it sits in a tall, narrow panel), compound states as nodes with their
 * children inside, edges defined at the root (ELK routes them across the hierarchy) with their
 * labels placed by the layout, so no label sits on another; all coordinates relative to the root.
 */
export function toElkGraph(outline: StatechartOutline): ElkNode {
  const children = new Map<string | null, OutlineState[]>();
  for (const state of outline.states) {
    const siblings = children.get(state.parent);
    if (siblings === undefined) children.set(state.parent, [state]);
    else siblings.push(state);
  }
  const node = (state: OutlineState): ElkNode => {
    const inner = children.get(state.id);
    const label: ElkLabel = { text: state.key, width: state.key.length * CHAR_WIDTH + 16, height: LINE_HEIGHT + 4 };
    if (inner === undefined) return { id: state.id, width: label.width + 8, height: 30, labels: [label] };
    return {
      id: state.id,
      labels: [label],
      children: inner.map(node),
      layoutOptions: { 'elk.padding': '[top=28,left=12,bottom=12,right=12]', 'elk.nodeLabels.placement': 'INSIDE V_TOP H_LEFT' },
    };
  };
  return {
    id: outline.id,
    layoutOptions: {
      'elk.algorithm': 'layered',
      'elk.direction': 'DOWN',
      'elk.hierarchyHandling': 'INCLUDE_CHILDREN',
      'elk.edgeRouting': 'ORTHOGONAL',
      'elk.edgeLabels.placement': 'CENTER',
      'elk.layered.spacing.nodeNodeBetweenLayers': '36',
      'elk.spacing.nodeNode': '18',
      'elk.spacing.edgeLabel': '3',
      'elk.spacing.edgeEdge': '8',
      'elk.layered.nodePlacement.strategy': 'NETWORK_SIMPLEX',
      'elk.json.edgeCoords': 'ROOT',
      'elk.json.shapeCoords': 'ROOT',
    },
    children: (children.get(null) ?? []).map(node),
    edges: chartEdges(outline).map((edge) => ({ id: edge.id, sources: [edge.source.id], targets: [edge.target.id], labels: [labelOf(edge.events)] })),
  };
}

function within(path: string, statePath: string): boolean {
  return path === statePath || path.startsWith(`${statePath}.`);
}

/**
 * The edge a transition from the state path `from` to `to` took: the one whose source holds
 * `from` and whose target holds `to`, the innermost such pair when several do.
 */
export function edgeTaken(edges: readonly ChartEdge[], from: string, to: string): ChartEdge | undefined {
  let best: ChartEdge | undefined;
  let bestDepth = -1;
  for (const edge of edges) {
    if (!within(from, edge.source.path) || !within(to, edge.target.path)) continue;
    const depth = edge.source.path.length + edge.target.path.length;
    if (depth > bestDepth) {
      best = edge;
      bestDepth = depth;
    }
  }
  return best;
}

/** Whether a state is active for a task in `activePath` (the state itself, or one of its ancestors). */
export function isActiveState(statePath: string, activePath: string | null): boolean {
  return activePath !== null && within(activePath, statePath);
}
