// The selected task's statechart: laid out by ELK (layered, compound states around their
// children, labels placed on their edges), drawn as SVG that fits its panel, with the active
// state and the last transition highlighted. Hidden until a task is selected.
import ElkApi from 'elkjs/lib/elk-api.js';
import elkWorkerUrl from 'elkjs/lib/elk-worker.min.js?url';
import type { StatechartOutline } from '../../inspection/toStatechartOutline.js';
import { chartEdges, edgeTaken, isActiveState, toElkGraph, type ChartEdge, type ElkNode } from './statechartLayout.js';

const SVG_NS = 'http://www.w3.org/2000/svg';

function svgElement(tag: string, attributes: Record<string, string | number>, parent?: Element): SVGElement {
  const element = document.createElementNS(SVG_NS, tag);
  for (const [name, value] of Object.entries(attributes)) element.setAttribute(name, String(value));
  parent?.appendChild(element);
  return element;
}

interface ElkLike {
  layout(graph: ElkNode): Promise<ElkNode>;
}

/**
 * ELK, started the first time a chart is drawn, in a Web Worker (a script served by the
 * dashboard, as its Content-Security-Policy allows): laying the chart out never blocks the page.
 */
let elk: ElkLike | undefined;
function loadElk(): ElkLike {
  const exported = ElkApi as unknown as { default?: unknown };
  const Elk = (exported.default ?? ElkApi) as new (options: { workerUrl: string }) => ElkLike;
  elk ??= new Elk({ workerUrl: elkWorkerUrl });
  return elk;
}

export interface StatechartView {
  /** Shows the chart with `activePath` active and the transition `last` highlighted; `activePath` null hides it. */
  update(outline: StatechartOutline | null, activePath: string | null, last: { readonly from: string | null; readonly to: string } | undefined): void;
}

export function createStatechartView(container: HTMLElement): StatechartView {
  let drawnFor: StatechartOutline | null = null;
  let edges: ChartEdge[] = [];
  let svg: SVGElement | undefined;
  let wanted: { activePath: string | null; last: { readonly from: string | null; readonly to: string } | undefined } = { activePath: null, last: undefined };

  const highlight = (): void => {
    if (svg === undefined) return;
    for (const group of Array.from(svg.querySelectorAll<SVGGElement>('.chart-state'))) {
      group.classList.toggle('active', isActiveState(group.dataset['path'] ?? '', wanted.activePath));
    }
    const taken = wanted.last?.from == null ? undefined : edgeTaken(edges, wanted.last.from, wanted.last.to);
    for (const edge of Array.from(svg.querySelectorAll<SVGGElement>('.chart-edge'))) edge.classList.toggle('last', edge.dataset['edge'] === taken?.id);
  };

  const draw = async (outline: StatechartOutline): Promise<void> => {
    const layout = await loadElk().layout(toElkGraph(outline));
    if (drawnFor !== outline) return;
    edges = chartEdges(outline);
    const paths = new Map(outline.states.map((state) => [state.id, state.path]));
    const types = new Map(outline.states.map((state) => [state.id, state.type]));
    const width = (layout.width ?? 100) + 8;
    const height = (layout.height ?? 100) + 8;
    const root = svgElement('svg', { viewBox: `-4 -4 ${width} ${height}`, preserveAspectRatio: 'xMidYMid meet', role: 'img', 'aria-label': 'task statechart' });
    const marker = svgElement('marker', { id: 'chart-arrow', viewBox: '0 0 10 10', refX: 9, refY: 5, markerWidth: 6, markerHeight: 6, orient: 'auto-start-reverse' }, svgElement('defs', {}, root));
    svgElement('path', { d: 'M0,0 L10,5 L0,10 z', class: 'chart-arrow' }, marker);
    const states = svgElement('g', {}, root);
    const drawNode = (node: ElkNode): void => {
      const group = svgElement('g', { class: `chart-state ${types.get(node.id) === 'final' ? 'final' : ''} ${node.children === undefined ? 'atomic' : 'compound'}` }, states) as SVGGElement;
      group.dataset['path'] = paths.get(node.id) ?? node.id;
      svgElement('rect', { x: node.x ?? 0, y: node.y ?? 0, width: node.width ?? 0, height: node.height ?? 0, rx: 6 }, group);
      const label = node.labels?.[0];
      const text = svgElement('text', node.children === undefined ? { x: (node.x ?? 0) + (node.width ?? 0) / 2, y: (node.y ?? 0) + (node.height ?? 0) / 2, 'text-anchor': 'middle', 'dominant-baseline': 'central' } : { x: (node.x ?? 0) + 8, y: (node.y ?? 0) + 15 }, group);
      text.textContent = label?.text ?? node.id;
      for (const child of node.children ?? []) drawNode(child);
    };
    for (const child of layout.children ?? []) drawNode(child);
    const edgeLayer = svgElement('g', {}, root);
    for (const edge of layout.edges ?? []) {
      const group = svgElement('g', { class: 'chart-edge' }, edgeLayer) as SVGGElement;
      group.dataset['edge'] = edge.id;
      for (const section of edge.sections ?? []) {
        const points = [section.startPoint, ...(section.bendPoints ?? []), section.endPoint];
        svgElement('path', { d: points.map((point, index) => `${index === 0 ? 'M' : 'L'}${point.x.toFixed(1)},${point.y.toFixed(1)}`).join(' '), 'marker-end': 'url(#chart-arrow)' }, group);
      }
      for (const label of edge.labels ?? []) {
        const text = svgElement('text', { x: label.x ?? 0, y: label.y ?? 0, class: 'chart-label' }, group);
        label.text.split('\n').forEach((line, index) => {
          const span = svgElement('tspan', { x: (label.x ?? 0) + 3, dy: index === 0 ? 11 : 14 }, text);
          span.textContent = line;
        });
      }
    }
    container.replaceChildren(root);
    svg = root;
    container.dataset['drawn'] = 'true';
    highlight();
  };

  return {
    update(outline, activePath, last) {
      wanted = { activePath, last };
      container.hidden = activePath === null || outline === null;
      if (outline === null || activePath === null) return;
      if (outline !== drawnFor) {
        drawnFor = outline;
        draw(outline).catch((error: unknown) => {
          container.textContent = `The statechart could not be laid out: ${error instanceof Error ? error.message : String(error)}`;
        });
        return;
      }
      highlight();
    },
  };
}
