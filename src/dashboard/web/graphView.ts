// The dependency graph on a canvas: every task of the run, one box each while they are few, else
// clusters by level and key with counts by state and a progress bar each; zoom, pan, fit, focus.
import type { TaskView } from '../protocol.js';
import { categoryOf, CATEGORIES, clusterTasks, computeLevels, dependentsOf, emptyCounts, lineageOf, type Cluster, type ClusterEdge, type GroupMode } from './aggregate.js';
import { attachPointer, onNextFrame, CATEGORY_COLOURS, fitText, prepareCanvas } from './dom.js';
import { layoutLayers, type Bounds, type LayoutInput, type LayoutOptions, type Placed } from './graphLayout.js';
import { fitViewport, toWorld, zoomAt, type Viewport } from './viewport.js';

/** Up to this many tasks are drawn one box each; more are clustered. */
export const DETAIL_LIMIT = 400;
/** Up to this many tasks, the graph is laid out again whenever tasks come or go. */
const RELAYOUT_FREELY = 2000;
const RELAYOUT_EVERY_MS = 1000;
/** More clusters than this under the chosen grouping fall back to one cluster per level. */
const CLUSTER_LIMIT = 800;
const TASK_BOX = { width: 150, height: 24, columnGap: 70, rowGap: 8 };
const CLUSTER_BOX = { width: 200, height: 46, columnGap: 56, rowGap: 14 };

interface Box {
  readonly placed: Placed;
  /** A task's id in task mode; a cluster's in cluster mode. */
  readonly id: string;
  readonly cluster: Cluster | undefined;
}

interface Scene {
  readonly key: string;
  readonly mode: 'tasks' | 'clusters';
  readonly grouping: GroupMode;
  readonly boxes: Box[];
  readonly byId: Map<string, Box>;
  /** Dependencies; in task mode also a parent's arrows to the children it spawned (`child`, drawn dashed). */
  readonly edges: readonly { readonly source: string; readonly target: string; readonly count: number; readonly child?: true }[];
  readonly bounds: Bounds;
  readonly taskCount: number;
  /** Levels run down the panel rather than across it. */
  readonly vertical: boolean;
}

export interface GraphViewOptions {
  readonly onSelect: (id: string) => void;
  /** A cluster was clicked: show its tasks (e.g. in the task list). */
  readonly onCluster: (label: string, ids: readonly string[]) => void;
}

export interface GraphView {
  update(tasks: ReadonlyMap<string, TaskView>, shapeVersion: number, selectedId: string | null): void;
  setGrouping(mode: GroupMode): void;
  setFocus(on: boolean): void;
  fit(): void;
}

/** A box's width on screen. */
function placedWidth(scale: number, scene: Scene): number {
  return (scene.boxes[0]?.placed.width ?? 0) * scale;
}

function clusterLabel(cluster: Cluster): string {
  return cluster.key === '' ? `level ${cluster.level}` : `${cluster.key} · level ${cluster.level}`;
}

/** Draws the graph into `container` (a canvas fills it) and writes what it shows into `note` and the container's data attributes. */
export function createGraphView(container: HTMLElement, note: HTMLElement, options: GraphViewOptions): GraphView {
  const canvas = document.createElement('canvas');
  canvas.setAttribute('aria-label', 'dependency graph');
  container.appendChild(canvas);
  let grouping: GroupMode = 'group';
  let focus = false;
  let scene: Scene | undefined;
  let view: Viewport = { scale: 1, x: 0, y: 0 };
  let autoFit = true;
  let tasks: ReadonlyMap<string, TaskView> = new Map();
  let selectedId: string | null = null;
  let levels = new Map<string, number>();
  let dependents = new Map<string, string[]>();
  let levelsVersion = -1;

  const requestDraw = onNextFrame(() => draw());

  /** The layout, across or down, that the panel shows at the larger scale. */
  const bestLayout = (inputs: readonly LayoutInput[], box: LayoutOptions): ReturnType<typeof layoutLayers> & { vertical: boolean } => {
    const width = Math.max(1, canvas.clientWidth);
    const height = Math.max(1, canvas.clientHeight);
    const across = layoutLayers(inputs, box);
    const down = layoutLayers(inputs, { ...box, vertical: true });
    const scaleOf = (bounds: Bounds): number => fitViewport(bounds, width, height).scale;
    return scaleOf(down.bounds) > scaleOf(across.bounds) * 1.05 ? { ...down, vertical: true } : { ...across, vertical: false };
  };

  const buildScene = (key: string, shown: readonly TaskView[]): Scene => {
    if (shown.length <= DETAIL_LIMIT) {
      const shownIds = new Set(shown.map((task) => task.id));
      const { placed, bounds, vertical } = bestLayout(
        shown.map((task) => ({ id: task.id, level: levels.get(task.id) ?? 0, parents: task.dependencies.filter((dep) => shownIds.has(dep)), key: task.id })),
        TASK_BOX,
      );
      const boxes = shown.map((task) => ({ placed: placed.get(task.id) as Placed, id: task.id, cluster: undefined }));
      const edges = [
        ...shown.flatMap((task) => task.dependencies.filter((dep) => shownIds.has(dep)).map((dep) => ({ source: dep, target: task.id, count: 1 }))),
        ...shown.flatMap((task) => (task.children ?? []).filter((child) => shownIds.has(child)).map((child) => ({ source: task.id, target: child, count: 1, child: true as const }))),
      ];
      return { key, mode: 'tasks', grouping, boxes, byId: new Map(boxes.map((box) => [box.id, box])), edges, bounds, taskCount: shown.length, vertical };
    }
    let effective = grouping;
    let clustered = clusterTasks(shown, levels, effective);
    if (clustered.clusters.length > CLUSTER_LIMIT) {
      effective = 'level';
      clustered = clusterTasks(shown, levels, effective);
    }
    const parents = new Map<string, string[]>();
    for (const edge of clustered.edges as ClusterEdge[]) {
      const list = parents.get(edge.target);
      if (list === undefined) parents.set(edge.target, [edge.source]);
      else list.push(edge.source);
    }
    const { placed, bounds, vertical } = bestLayout(clustered.clusters.map((cluster) => ({ id: cluster.id, level: cluster.level, parents: parents.get(cluster.id) ?? [], key: cluster.key })), CLUSTER_BOX);
    const boxes = clustered.clusters.map((cluster) => ({ placed: placed.get(cluster.id) as Placed, id: cluster.id, cluster }));
    return { key, mode: 'clusters', grouping: effective, boxes, byId: new Map(boxes.map((box) => [box.id, box])), edges: clustered.edges, bounds, taskCount: shown.length, vertical };
  };

  const refreshScene = (shapeVersion: number): void => {
    const focusId = focus && selectedId !== null && tasks.has(selectedId) ? selectedId : null;
    // The panel's shape decides whether levels run across or down: a new shape, a new layout.
    const aspect = Math.round((4 * Math.max(1, canvas.clientWidth)) / Math.max(1, canvas.clientHeight));
    const key = `${shapeVersion}|${grouping}|${focusId ?? ''}|${aspect}`;
    // While a big run's tasks keep arriving, its graph is laid out again at most once a second;
    // until then the boxes already laid out count the tasks they hold.
    const onlyShapeMoved = scene !== undefined && scene.key.slice(scene.key.indexOf('|')) === key.slice(key.indexOf('|'));
    const rebuildDue = !onlyShapeMoved || tasks.size <= RELAYOUT_FREELY || performance.now() - sceneBuiltAt >= RELAYOUT_EVERY_MS;
    if (!rebuildDue) scheduleRelayout();
    if (scene !== undefined && (scene.key === key || !rebuildDue)) {
      if (scene.mode === 'clusters') {
        for (const box of scene.boxes) {
          const counts = box.cluster?.counts ?? emptyCounts();
          for (const category of CATEGORIES) counts[category] = 0;
          for (const id of box.cluster?.taskIds ?? []) {
            const task = tasks.get(id);
            if (task !== undefined) counts[categoryOf(task.state)] += 1;
          }
        }
      }
      describeScene(scene, false);
      return;
    }
    if (levelsVersion !== shapeVersion) {
      levels = computeLevels(tasks);
      dependents = dependentsOf(tasks.values());
      levelsVersion = shapeVersion;
    }
    const lineage = focusId === null ? undefined : lineageOf(focusId, tasks, dependents);
    const shown = [...tasks.values()].filter((task) => lineage === undefined || lineage.has(task.id));
    scene = buildScene(key, shown);
    sceneBuiltAt = performance.now();
    describeScene(scene, true);
    if (autoFit) view = fitViewport(scene.bounds, canvas.clientWidth, canvas.clientHeight);
  };

  /**
   * What the canvas shows, as a list of buttons that screen readers and the keyboard can reach
   * (visually hidden): one per task or cluster, with its state or counts; activating one does what
   * a click on its box does.
   */
  const items = document.createElement('ul');
  items.className = 'visually-hidden';
  items.setAttribute('aria-label', 'graph boxes');
  container.appendChild(items);
  const describeBox = (box: Box): string => {
    if (box.cluster === undefined) return `${box.id}: ${tasks.get(box.id)?.state ?? 'unknown'}`;
    const { counts, taskIds } = box.cluster;
    return `${clusterLabel(box.cluster)}: ${taskIds.length} tasks, ${counts.done} done, ${counts.failed} failed, ${counts.running} running, ${counts.ready + counts.waiting} waiting`;
  };
  const describeScene = (current: Scene, rebuilt: boolean): void => {
    if (rebuilt) {
      items.replaceChildren(
        ...current.boxes.map((box) => {
          const item = document.createElement('li');
          const button = document.createElement('button');
          button.type = 'button';
          if (box.cluster === undefined) button.dataset['taskId'] = box.id;
          else {
            button.dataset['level'] = String(box.cluster.level);
            button.dataset['key'] = box.cluster.key;
          }
          button.addEventListener('click', () => activate(box));
          item.appendChild(button);
          return item;
        }),
      );
    }
    current.boxes.forEach((box, index) => {
      const button = items.children[index]?.firstElementChild;
      if (button !== null && button !== undefined) button.textContent = describeBox(box);
    });
  };
  const activate = (box: Box): void => {
    if (box.cluster === undefined) options.onSelect(box.id);
    else options.onCluster(clusterLabel(box.cluster), box.cluster.taskIds);
  };

  const draw = (): void => {
    const { context, width, height } = prepareCanvas(canvas);
    if (scene === undefined) return;
    if (autoFit) view = fitViewport(scene.bounds, width, height);
    const current = scene;
    container.dataset['mode'] = current.mode;
    container.dataset['grouping'] = current.grouping;
    container.dataset['tasks'] = String(current.boxes.reduce((sum, box) => sum + (box.cluster?.taskIds.length ?? 1), 0));
    container.dataset['boxes'] = String(current.boxes.length);
    container.dataset['edges'] = String(current.edges.length);
    const focusNote = focus && selectedId !== null ? `focus on ${selectedId}: ` : '';
    note.textContent = `${focusNote}${current.taskCount} tasks${current.mode === 'clusters' ? ` in ${current.boxes.length} clusters by ${current.grouping}${current.grouping !== grouping ? ` (too many ${grouping}s to draw apart)` : ''}` : ''}`;
    context.save();
    context.translate(view.x, view.y);
    context.scale(view.scale, view.scale);
    const visible = (placed: Placed): boolean =>
      placed.x * view.scale + view.x < width && (placed.x + placed.width) * view.scale + view.x > 0 && placed.y * view.scale + view.y < height && (placed.y + placed.height) * view.scale + view.y > 0;
    // Edges first, under the boxes.
    context.lineWidth = 1 / view.scale;
    for (const edge of current.edges) {
      const from = current.byId.get(edge.source)?.placed;
      const to = current.byId.get(edge.target)?.placed;
      if (from === undefined || to === undefined) continue;
      const isSelected = current.mode === 'tasks' && (edge.source === selectedId || edge.target === selectedId);
      context.strokeStyle = isSelected ? '#212529' : 'rgba(110, 120, 135, 0.45)';
      context.lineWidth = (isSelected ? 2 : current.mode === 'clusters' ? Math.min(6, 1 + Math.log2(edge.count)) : 1) / Math.max(view.scale, 0.25);
      context.setLineDash(edge.child === true ? [6 / view.scale, 4 / view.scale] : []);
      context.beginPath();
      if (current.vertical) {
        const x1 = from.x + from.width / 2;
        const y1 = from.y + from.height;
        const x2 = to.x + to.width / 2;
        const y2 = to.y;
        const bend = (y2 - y1) / 2;
        context.moveTo(x1, y1);
        context.bezierCurveTo(x1, y1 + bend, x2, y2 - bend, x2, y2);
      } else {
        const x1 = from.x + from.width;
        const y1 = from.y + from.height / 2;
        const x2 = to.x;
        const y2 = to.y + to.height / 2;
        const bend = (x2 - x1) / 2;
        context.moveTo(x1, y1);
        context.bezierCurveTo(x1 + bend, y1, x2 - bend, y2, x2, y2);
      }
      context.stroke();
    }
    context.setLineDash([]);
    for (const box of current.boxes) {
      const { placed } = box;
      if (!visible(placed)) continue;
      if (box.cluster === undefined) {
        const task = tasks.get(box.id);
        context.fillStyle = task === undefined ? '#fff' : CATEGORY_COLOURS[categoryOf(task.state)];
        context.fillRect(placed.x, placed.y, placed.width, placed.height);
        context.strokeStyle = box.id === selectedId ? '#000' : 'rgba(0,0,0,0.25)';
        context.lineWidth = (box.id === selectedId ? 3 : 1) / view.scale;
        context.strokeRect(placed.x, placed.y, placed.width, placed.height);
        if (task?.cached === true) {
          context.fillStyle = '#fff';
          context.fillRect(placed.x + placed.width - 9, placed.y + 3, 6, 6);
        }
        continue;
      }
      drawCluster(context, box.cluster, placed);
    }
    context.restore();
    // Text at a fixed screen size, in boxes large enough on screen to hold it.
    if (placedWidth(view.scale, current) < 48) return;
    context.textBaseline = 'middle';
    for (const box of current.boxes) {
      const { placed } = box;
      if (!visible(placed)) continue;
      const x = placed.x * view.scale + view.x;
      const y = placed.y * view.scale + view.y;
      const width = placed.width * view.scale;
      const height = placed.height * view.scale;
      if (box.cluster === undefined) {
        if (height < 11) continue;
        const task = tasks.get(box.id);
        const category = task === undefined ? 'waiting' : categoryOf(task.state);
        context.font = '11px system-ui, sans-serif';
        context.fillStyle = category === 'ready' || category === 'waiting' ? '#212529' : '#fff';
        context.fillText(fitText(context, box.id, width - 10), x + 5, y + height / 2);
        continue;
      }
      if (height < 22) continue;
      const cluster = box.cluster;
      context.fillStyle = '#212529';
      context.font = '600 11px system-ui, sans-serif';
      const total = cluster.taskIds.length;
      // No room for a second line: the count done goes first on the only one, where it is not cut off.
      const title = height < 36 ? `${cluster.counts.done}/${total} · ${clusterLabel(cluster)}` : clusterLabel(cluster);
      context.fillText(fitText(context, title, width - 10), x + 5, y + (height < 36 ? height * 0.3 : 10));
      if (height < 36) continue;
      context.font = '11px system-ui, sans-serif';
      const counts = cluster.counts;
      const parts = [`${total} tasks`, `${counts.done} done`, counts.running > 0 ? `${counts.running} running` : '', counts.failed > 0 ? `${counts.failed} failed` : ''].filter((part) => part !== '');
      context.fillText(fitText(context, parts.join(' · '), width - 10), x + 5, y + height * 0.5);
    }
  };

  const drawCluster = (context: CanvasRenderingContext2D, cluster: Cluster, placed: Placed): void => {
    context.fillStyle = '#fff';
    context.fillRect(placed.x, placed.y, placed.width, placed.height);
    context.strokeStyle = selectedId !== null && cluster.taskIds.includes(selectedId) ? '#000' : '#adb5bd';
    context.lineWidth = 1 / view.scale;
    context.strokeRect(placed.x, placed.y, placed.width, placed.height);
    const total = cluster.taskIds.length;
    const bar = { x: placed.x + 6, y: placed.y + placed.height - 13, width: placed.width - 12, height: 8 };
    let x = bar.x;
    for (const category of CATEGORIES) {
      const share = (cluster.counts[category] / total) * bar.width;
      if (share <= 0) continue;
      context.fillStyle = CATEGORY_COLOURS[category];
      context.fillRect(x, bar.y, share, bar.height);
      x += share;
    }
  };

  const boxAt = (px: number, py: number): Box | undefined => {
    const point = toWorld(view, px, py);
    return scene?.boxes.find(({ placed }) => point.x >= placed.x && point.x <= placed.x + placed.width && point.y >= placed.y && point.y <= placed.y + placed.height);
  };

  attachPointer(canvas, {
    onZoom(factor, x, y) {
      autoFit = false;
      view = zoomAt(view, factor, x, y);
      requestDraw();
    },
    onPan(dx, dy) {
      autoFit = false;
      view = { ...view, x: view.x + dx, y: view.y + dy };
      requestDraw();
    },
    onClick(x, y) {
      const box = boxAt(x, y);
      if (box !== undefined) activate(box);
    },
    onHover(x, y) {
      const box = boxAt(x, y);
      canvas.style.cursor = box === undefined ? 'grab' : 'pointer';
      canvas.title = box === undefined ? '' : box.cluster === undefined ? describeBox(box) : `${describeBox(box)} (click to list them)`;
    },
  });
  let lastShape = -1;
  let sceneBuiltAt = 0;
  let relayoutTimer: ReturnType<typeof setTimeout> | undefined;
  /** Lays the graph out again once the interval has passed, for the tasks that came meanwhile. */
  function scheduleRelayout(): void {
    relayoutTimer ??= setTimeout(() => {
      relayoutTimer = undefined;
      refreshScene(lastShape);
      requestDraw();
    }, RELAYOUT_EVERY_MS);
  }
  new ResizeObserver(() => {
    if (lastShape !== -1) refreshScene(lastShape);
    requestDraw();
  }).observe(container);

  return {
    update(nextTasks, shapeVersion, nextSelectedId) {
      const selectionMoved = nextSelectedId !== selectedId;
      tasks = nextTasks;
      selectedId = nextSelectedId;
      lastShape = shapeVersion;
      if (selectionMoved && focus) autoFit = true;
      refreshScene(shapeVersion);
      requestDraw();
    },
    setGrouping(mode) {
      grouping = mode;
      autoFit = true;
      refreshScene(lastShape);
      requestDraw();
    },
    setFocus(on) {
      focus = on;
      autoFit = true;
      refreshScene(lastShape);
      requestDraw();
    },
    fit() {
      autoFit = true;
      requestDraw();
    },
  };
}
