// Small DOM helpers shared by the drawings. Attribute values are set with setAttribute and text
// with textContent only, so task names can never inject markup.
const SVG_NS = 'http://www.w3.org/2000/svg';

/** Creates an SVG element with attributes, appended to `parent` when given. */
export function svgElement(tag, attributes = {}, parent) {
  const element = document.createElementNS(SVG_NS, tag);
  for (const [name, value] of Object.entries(attributes)) element.setAttribute(name, String(value));
  if (parent) parent.appendChild(element);
  return element;
}

/** Creates an HTML element with a class and text, appended to `parent` when given. */
export function htmlElement(tag, className, text, parent) {
  const element = document.createElement(tag);
  if (className) element.className = className;
  if (text !== undefined) element.textContent = String(text);
  if (parent) parent.appendChild(element);
  return element;
}

/** An `<svg>` of the given size with the arrow marker edges use. */
export function svgCanvas(width, height) {
  const svg = svgElement('svg', { width, height, viewBox: `0 0 ${width} ${height}` });
  const marker = svgElement('marker', { id: 'arrow', viewBox: '0 0 10 10', refX: 9, refY: 5, markerWidth: 7, markerHeight: 7, orient: 'auto-start-reverse' }, svgElement('defs', {}, svg));
  svgElement('path', { d: 'M0,0 L10,5 L0,10 z', fill: '#7b8794' }, marker);
  return svg;
}

/** The `d` of a polyline through dagre's edge points. */
export function pathThrough(points) {
  return points.map((point, index) => `${index === 0 ? 'M' : 'L'}${point.x.toFixed(1)},${point.y.toFixed(1)}`).join(' ');
}

/** A task's state in words: a dispatched one says it waits for a worker, and on which node. */
export function stateLabel(task) {
  // Completed from the history without running (incremental runs).
  if (task.cached === true) return `${task.state} (cached)`;
  if (task.state !== 'pending.dispatched') return task.state;
  return task.node ? `waiting for a worker on ${task.node}` : 'dispatched, waiting for a worker';
}

/** The CSS class of a task's colour: its status, `queued` for a ready task, `dispatched` for one holding a slot. */
export function stateClass(state) {
  if (state === 'pending.queued' || state === 'pending.resources') return 's-queued';
  if (state === 'pending.dispatched') return 's-dispatched';
  return `s-${state.split('.')[0]}`;
}
