import ELK from 'elkjs/lib/elk.bundled.js';
import { describe, expect, it } from 'vitest';
import { layoutLayers } from '../../src/dashboard/web/graphLayout.js';
import { chartEdges, edgeTaken, toElkGraph, type ElkNode } from '../../src/dashboard/web/statechartLayout.js';
import { assignLanes, estimateEta, firstVisible, formatDuration, throughputOf } from '../../src/dashboard/web/timelineModel.js';
import { fitViewport, toWorld, zoomAt } from '../../src/dashboard/web/viewport.js';
import { toStatechartOutline, type StateNodeJson } from '../../src/inspection/toStatechartOutline.js';
import { taskMachine } from '../../machines/taskMachine.js';

/** elkjs is CommonJS: its class is the module itself, or its `default` through TypeScript's eyes. */
const Elk = ((ELK as unknown as { default?: unknown }).default ?? ELK) as new () => { layout(graph: ElkNode): Promise<ElkNode> };

describe('layoutLayers', () => {
  it('puts each level in its own column and never two boxes on top of each other', () => {
    const inputs = [
      { id: 'a', level: 0, parents: [], key: 'a' },
      { id: 'b', level: 0, parents: [], key: 'b' },
      { id: 'c', level: 1, parents: ['b'], key: 'c' },
      { id: 'd', level: 1, parents: ['a'], key: 'd' },
    ];
    const { placed, bounds } = layoutLayers(inputs, { width: 100, height: 20, columnGap: 50, rowGap: 10 });
    expect(placed.get('a')?.x).toBe(0);
    expect(placed.get('c')?.x).toBe(150);
    // d's parent a sits above b, so d sits above c: no crossing.
    expect((placed.get('d')?.y ?? 0) < (placed.get('c')?.y ?? 0)).toBe(true);
    expect(bounds).toEqual({ x: 0, y: 0, width: 250, height: 50 });
    // Down the panel, levels sit a third of the column gap apart.
    const vertical = layoutLayers(inputs, { width: 100, height: 20, columnGap: 60, rowGap: 10, vertical: true });
    expect(vertical.placed.get('c')?.y).toBe(40);
    expect(vertical.bounds).toEqual({ x: 0, y: 0, width: 210, height: 60 });
  });
});

describe('viewport', () => {
  it('fits bounds in a panel, centred, never past 1:1, and zooms about the pointer', () => {
    const view = fitViewport({ x: 0, y: 0, width: 2000, height: 100 }, 1000, 500, 0);
    expect(view.scale).toBe(0.5);
    expect(view.y).toBe(225);
    expect(fitViewport({ x: 0, y: 0, width: 10, height: 10 }, 1000, 500).scale).toBe(1);
    const zoomed = zoomAt(view, 2, 300, 200);
    expect(toWorld(zoomed, 300, 200)).toEqual(toWorld(view, 300, 200));
  });
});

describe('assignLanes', () => {
  it('gives each worker slot a lane, grouped by node, attempts in order of start', () => {
    const runs = [
      { slot: 1, start: 30, node: 'b' },
      { slot: 0, start: 10, node: 'a' },
      { slot: 0, start: 5 },
      { slot: 0, start: 1, node: 'a' },
      { slot: -1, start: 0 },
    ];
    expect(assignLanes(runs).map((lane) => [lane.label, lane.runs])).toEqual([
      ['a · slot 1', [3, 1]],
      ['b · slot 2', [0]],
      ['before resume', [4]],
      ['slot 1', [2]],
    ]);
  });

  it('finds the first attempt that may still be visible at a time, given the longest attempt', () => {
    const runs = [0, 10, 20, 30, 40].map((start) => ({ start, end: start + 5 }));
    expect(firstVisible([0, 1, 2, 3, 4], runs, 26, 5)).toBe(3);
  });
});

describe('throughputOf and estimateEta', () => {
  it('counts completions per round bucket', () => {
    const runs = [
      { start: 0, end: 400, outcome: 'completed' },
      { start: 0, end: 1400, outcome: 'completed' },
      { start: 0, end: 1500, outcome: 'failed' },
      { start: 100, end: null, outcome: null },
    ];
    expect(throughputOf(runs, 2000, 10)).toEqual({ start: 0, bucketMs: 250, counts: [0, 1, 0, 0, 0, 1, 0, 0] });
  });

  it('estimates from the tasks’ estimates when some have one, else from the recent rate', () => {
    expect(estimateEta({ remainingEstimates: [1000, undefined, 3000], knownEstimates: [1000, 3000], workers: 2, recentRate: 50 })).toEqual({ ms: 3000, basis: 'estimates' });
    expect(estimateEta({ remainingEstimates: [undefined, undefined], knownEstimates: [], workers: 2, recentRate: 4 })).toEqual({ ms: 500, basis: 'rate' });
    expect(estimateEta({ remainingEstimates: [undefined], knownEstimates: [], workers: 2, recentRate: 0 })).toBeUndefined();
    expect([formatDuration(45_000), formatDuration(12 * 60_000), formatDuration(185 * 60_000)]).toEqual(['45 s', '12 min', '3 h 05 min']);
  });
});

interface Rect {
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
}
const overlaps = (a: Rect, b: Rect): boolean => a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;

function flatten(node: ElkNode): ElkNode[] {
  return (node.children ?? []).flatMap((child) => [child, ...flatten(child)]);
}

describe('toElkGraph', () => {
  const outline = toStatechartOutline(taskMachine.toJSON() as unknown as StateNodeJson);

  it('lays the task statechart out with ELK with no edge label over another label or over a state', async () => {
    const layout = await new Elk().layout(toElkGraph(outline));
    const states = flatten(layout);
    expect(states.map((state) => state.id).sort()).toEqual(outline.states.map((state) => state.id).sort());
    const labels = (layout.edges ?? []).flatMap((edge) => edge.labels ?? []).map((label) => ({ x: label.x ?? 0, y: label.y ?? 0, width: label.width, height: label.height }));
    expect(labels.length).toBe(chartEdges(outline).length);
    for (const [index, label] of labels.entries()) {
      for (const other of labels.slice(index + 1)) expect(overlaps(label, other), `${JSON.stringify(label)} over ${JSON.stringify(other)}`).toBe(false);
      for (const state of states.filter((each) => each.children === undefined)) {
        expect(overlaps(label, { x: state.x ?? 0, y: state.y ?? 0, width: state.width ?? 0, height: state.height ?? 0 }), `label over ${state.id}`).toBe(false);
      }
    }
    // Everything inside the graph's own box, which the page fits to its panel.
    for (const rect of [...labels, ...states.map((state) => ({ x: state.x ?? 0, y: state.y ?? 0, width: state.width ?? 0, height: state.height ?? 0 }))]) {
      expect(rect.x + rect.width).toBeLessThanOrEqual((layout.width ?? 0) + 0.5);
      expect(rect.y + rect.height).toBeLessThanOrEqual((layout.height ?? 0) + 0.5);
    }
  });

  it('finds the edge a transition took, the innermost when a compound state holds the source', () => {
    const edges = chartEdges(outline);
    expect(edgeTaken(edges, 'running', 'completed')?.id).toBe('task.running->task.completed');
    const cancel = edgeTaken(edges, 'pending.queued', 'cancelled');
    expect(cancel?.target.path).toBe('cancelled');
    expect(cancel?.source.path.startsWith('pending')).toBe(true);
  });
});
