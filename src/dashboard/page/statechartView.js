import { pathThrough, svgCanvas, svgElement } from './svg.js';

const STATE_HEIGHT = 28;
const LABEL_SPACE = 18;

function isActive(statePath, activePath) {
  return activePath === statePath || activePath.startsWith(`${statePath}.`);
}

/** The point where the segment from a box's centre towards `toward` crosses its border. */
function borderPoint(box, toward) {
  const dx = toward.x - box.x;
  const dy = toward.y - box.y;
  const scale = 1 / Math.max(Math.abs(dx) / (box.width / 2) || 0, Math.abs(dy) / (box.height / 2) || 0, 1e-9);
  return { x: box.x + dx * scale, y: box.y + dy * scale };
}

/**
 * Draws the task statechart from the server's outline with dagre's compound layout (child states
 * inside their parent). Dagre cannot route edges that start or end on a compound state, so those
 * are left out of the layout and drawn straight between box borders.
 */
export function createStatechartView(container) {
  let drawnOutline = null;
  const groups = [];

  const draw = (outline) => {
    const graph = new dagre.graphlib.Graph({ compound: true, multigraph: true });
    graph.setGraph({ rankdir: 'LR', nodesep: 18, ranksep: 36, marginx: 10, marginy: 10 });
    const compound = new Set(outline.states.map((state) => state.parent).filter((parent) => parent !== null));
    for (const state of outline.states) {
      graph.setNode(state.id, { width: Math.max(70, state.key.length * 7 + 20), height: STATE_HEIGHT, paddingTop: LABEL_SPACE });
      if (state.parent !== null) graph.setParent(state.id, state.parent);
    }
    const routed = [];
    const straight = [];
    outline.transitions.forEach((transition, index) => {
      if (!graph.hasNode(transition.source) || !graph.hasNode(transition.target) || transition.source === transition.target) return;
      if (compound.has(transition.source) || compound.has(transition.target)) straight.push(transition);
      else {
        graph.setEdge(transition.source, transition.target, { width: transition.event.length * 5.5, height: 12, labelpos: 'c' }, String(index));
        routed.push({ transition, name: String(index) });
      }
    });
    dagre.layout(graph);
    const { width = 0, height = 0 } = graph.graph();
    const svg = svgCanvas(Math.ceil(width) + 20, Math.ceil(height) + 20);
    groups.length = 0;
    const byDepth = [...outline.states].sort((a, b) => a.path.split('.').length - b.path.split('.').length);
    for (const state of byDepth) {
      const box = graph.node(state.id);
      const isCompound = compound.has(state.id);
      const group = svgElement('g', { class: `chart-state${isCompound ? ' compound' : ''}${state.type === 'final' ? ' final' : ''}`, 'data-path': state.path }, svg);
      svgElement('rect', { x: box.x - box.width / 2, y: box.y - box.height / 2, width: box.width, height: box.height, rx: 8 }, group);
      const label = svgElement('text', { x: box.x - box.width / 2 + 8, y: isCompound ? box.y - box.height / 2 + 14 : box.y + 4 }, group);
      label.textContent = state.key;
      groups.push({ group, state, isCompound });
    }
    for (const { transition, name } of routed) {
      const edge = graph.edge(transition.source, transition.target, name);
      svgElement('path', { class: 'edge', d: pathThrough(edge.points) }, svg);
      svgElement('text', { class: 'chart-label', x: edge.x, y: edge.y + 4, 'text-anchor': 'middle' }, svg).textContent = transition.event;
    }
    for (const transition of straight) {
      const from = graph.node(transition.source);
      const to = graph.node(transition.target);
      const start = borderPoint(from, to);
      const end = borderPoint(to, from);
      svgElement('path', { class: 'edge', d: pathThrough([start, end]) }, svg);
      svgElement('text', { class: 'chart-label', x: start.x + (end.x - start.x) * 0.3 + 3, y: start.y + (end.y - start.y) * 0.3 - 3 }, svg).textContent = transition.event;
    }
    container.replaceChildren(svg);
  };

  return {
    update(outline, activePath) {
      if (!outline) {
        container.textContent = 'The statechart appears once a task actor has been seen.';
        drawnOutline = null;
        return;
      }
      if (outline !== drawnOutline) {
        drawnOutline = outline;
        draw(outline);
      }
      for (const { group, state, isCompound } of groups) {
        const active = activePath !== null && isActive(state.path, activePath);
        group.setAttribute('class', `chart-state${isCompound ? ' compound' : ''}${state.type === 'final' ? ' final' : ''}${active ? ' active' : ''}`);
      }
    },
  };
}
