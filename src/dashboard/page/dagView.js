import { pathThrough, stateClass, svgCanvas, svgElement } from './svg.js';

/** Most tasks laid out at once: dagre's layout time grows fast past a few hundred nodes. */
export const MAX_DAG_NODES = 200;
const NODE_HEIGHT = 24;

/**
 * The dependency graph, laid out by dagre (left to right, dependencies first) and drawn as SVG.
 * The layout is recomputed only when the set of drawn tasks changes; state changes only recolour.
 */
export function createDagView(container, note, onSelect) {
  let layoutKey = '';
  const nodes = new Map();

  const layout = (tasks) => {
    const graph = new dagre.graphlib.Graph();
    graph.setGraph({ rankdir: 'LR', nodesep: 12, ranksep: 40, marginx: 8, marginy: 8 });
    graph.setDefaultEdgeLabel(() => ({}));
    const shown = new Set(tasks.map((task) => task.id));
    for (const task of tasks) graph.setNode(task.id, { width: Math.min(160, 16 + task.id.length * 7), height: NODE_HEIGHT });
    for (const task of tasks) for (const dependency of task.dependencies) if (shown.has(dependency)) graph.setEdge(dependency, task.id);
    dagre.layout(graph);
    const { width = 0, height = 0 } = graph.graph();
    const svg = svgCanvas(Math.ceil(width), Math.ceil(height));
    for (const edge of graph.edges()) svgElement('path', { class: 'edge', d: pathThrough(graph.edge(edge).points) }, svg);
    nodes.clear();
    for (const id of graph.nodes()) {
      const box = graph.node(id);
      const group = svgElement('g', { class: 'dag-node', 'data-id': id, transform: `translate(${box.x - box.width / 2},${box.y - box.height / 2})` }, svg);
      svgElement('rect', { width: box.width, height: box.height, rx: 4 }, group);
      svgElement('text', { x: 6, y: 16 }, group).textContent = id.length > 21 ? `${id.slice(0, 20)}…` : id;
      nodes.set(id, group);
    }
    container.replaceChildren(svg);
  };

  container.addEventListener('click', (event) => {
    const node = event.target.closest('.dag-node');
    if (node) onSelect(node.dataset.id);
  });

  return {
    update(allTasks, selectedId) {
      const tasks = allTasks.slice(0, MAX_DAG_NODES);
      note.textContent = allTasks.length > MAX_DAG_NODES ? `first ${MAX_DAG_NODES} of ${allTasks.length} tasks` : '';
      const key = tasks.map((task) => task.id).join('\n');
      if (key !== layoutKey) {
        layoutKey = key;
        layout(tasks);
      }
      for (const task of tasks) {
        const node = nodes.get(task.id);
        if (!node) continue;
        node.setAttribute('class', `dag-node ${stateClass(task.state)}${task.id === selectedId ? ' selected' : ''}`);
        node.dataset.status = task.status;
      }
    },
  };
}
