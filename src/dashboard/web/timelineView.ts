// Every attempt of the run on a canvas, one lane per worker slot (per node and slot in a
// distributed run), coloured by how it ended; wheel to zoom in time, drag to pan, hover for the task.
import type { RunView } from '../protocol.js';
import { attachPointer, onNextFrame, fitText, htmlElement, outcomeColour, prepareCanvas } from './dom.js';
import { assignLanes, firstVisible, type Lane } from './timelineModel.js';

const LABEL_WIDTH = 90;
const AXIS_HEIGHT = 18;
const MAX_LANE_HEIGHT = 22;

export interface TimelineView {
  update(runs: readonly RunView[], runsVersion: number, now: number): void;
  fit(): void;
}

/** A time window in ms of the dashboard's clock. */
interface Window {
  readonly from: number;
  readonly to: number;
}

function tickStep(spanMs: number, pixels: number): number {
  const target = (spanMs / Math.max(1, pixels)) * 110;
  const steps = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10_000, 15_000, 30_000, 60_000, 120_000, 300_000, 600_000, 1_800_000, 3_600_000];
  return steps.find((step) => step >= target) ?? 7_200_000;
}

function tickLabel(offsetMs: number, step: number): string {
  if (step < 1000) return `${Math.round(offsetMs)} ms`;
  if (step < 60_000) return `${Math.round(offsetMs / 1000)} s`;
  return `${Math.round(offsetMs / 60_000)} min`;
}

/** Draws into `container`; selecting a task on click goes through `onSelect`. */
export function createTimelineView(container: HTMLElement, note: HTMLElement, onSelect: (id: string) => void): TimelineView {
  const canvas = htmlElement('canvas', undefined, undefined, container);
  canvas.setAttribute('aria-label', 'timeline of attempts');
  const tooltip = htmlElement('div', 'tooltip', undefined, container);
  tooltip.hidden = true;
  let runs: readonly RunView[] = [];
  let lanes: Lane[] = [];
  let lanesVersion = -1;
  let lanesBuiltAt = 0;
  let rebuildPending = false;
  let longest = 0;
  let now = 0;
  let start = 0;
  /** The window shown, or undefined to follow the whole run up to now. */
  let window: Window | undefined;

  const shown = (): Window => window ?? { from: start, to: Math.max(now, start + 1000) };
  const geometry = () => {
    const width = canvas.clientWidth;
    const height = canvas.clientHeight;
    const laneHeight = Math.min(MAX_LANE_HEIGHT, (height - AXIS_HEIGHT) / Math.max(1, lanes.length));
    return { width, height, laneHeight, plotWidth: Math.max(1, width - LABEL_WIDTH) };
  };
  const timeAt = (x: number): number => {
    const { plotWidth } = geometry();
    const { from, to } = shown();
    return from + ((x - LABEL_WIDTH) / plotWidth) * (to - from);
  };

  const requestDraw = onNextFrame(() => draw());

  const draw = (): void => {
    const { context, width, height } = prepareCanvas(canvas);
    const { laneHeight, plotWidth } = geometry();
    const { from, to } = shown();
    const scale = plotWidth / (to - from);
    container.dataset['runs'] = String(runs.length);
    container.dataset['lanes'] = String(lanes.length);
    container.dataset['laneNodes'] = [...new Set(lanes.flatMap((lane) => (lane.node === undefined ? [] : [lane.node])))].join(' ');
    note.textContent = `${runs.length} attempts, ${lanes.length} slots${window === undefined ? '' : ' (zoomed: double-click to see all)'}`;
    context.font = '11px system-ui, sans-serif';
    context.textBaseline = 'middle';
    // Axis.
    const step = tickStep(to - from, plotWidth);
    context.fillStyle = '#868e96';
    context.strokeStyle = '#e9ecef';
    context.lineWidth = 1;
    for (let tick = Math.ceil((from - start) / step) * step + start; tick <= to; tick += step) {
      const x = LABEL_WIDTH + (tick - from) * scale;
      context.beginPath();
      context.moveTo(x, AXIS_HEIGHT);
      context.lineTo(x, height);
      context.stroke();
      if (x < width - 40) context.fillText(tickLabel(tick - start, step), x + 2, AXIS_HEIGHT / 2);
    }
    context.save();
    context.beginPath();
    context.rect(LABEL_WIDTH, AXIS_HEIGHT, plotWidth, height - AXIS_HEIGHT);
    context.clip();
    const barHeight = Math.max(1, laneHeight - (laneHeight > 6 ? 2 : 0));
    lanes.forEach((lane, laneIndex) => {
      const y = AXIS_HEIGHT + laneIndex * laneHeight;
      // An attempt still running is open-ended: the lane's last few are drawn whatever the window.
      for (let position = Math.max(0, lane.runs.length - 4); position < lane.runs.length; position += 1) {
        const run = runs[lane.runs[position] as number] as RunView;
        if (run.end !== null || run.start > to) continue;
        context.fillStyle = outcomeColour(null);
        context.fillRect(LABEL_WIDTH + (run.start - from) * scale, y + 1, Math.max(1, (now - run.start) * scale), barHeight);
      }
      let lastPixel = -1;
      let lastColour = '';
      for (let position = firstVisible(lane.runs, runs, from, longest); position < lane.runs.length; position += 1) {
        const run = runs[lane.runs[position] as number] as RunView;
        if (run.start > to) break;
        const end = run.end ?? now;
        if (end < from) continue;
        const x = LABEL_WIDTH + (run.start - from) * scale;
        const barWidth = Math.max(1, (end - run.start) * scale);
        const colour = outcomeColour(run.outcome);
        // Many attempts in one pixel column: draw the pixel once.
        if (barWidth <= 1 && Math.floor(x) === lastPixel && colour === lastColour) continue;
        lastPixel = Math.floor(x);
        lastColour = colour;
        context.fillStyle = colour;
        context.fillRect(x, y + 1, barWidth, barHeight);
        if (run.interrupted === true) {
          context.strokeStyle = '#ae3ec9';
          context.lineWidth = 2;
          context.strokeRect(x, y + 1, Math.max(3, barWidth), barHeight);
        }
        if (barWidth > 40 && laneHeight >= 12) {
          context.fillStyle = '#fff';
          context.fillText(fitText(context, run.task, barWidth - 6), x + 3, y + 1 + barHeight / 2);
        }
      }
    });
    context.restore();
    context.fillStyle = '#495057';
    lanes.forEach((lane, laneIndex) => {
      if (laneHeight < 9 && laneIndex % Math.ceil(9 / laneHeight) !== 0) return;
      context.fillText(fitText(context, lane.label, LABEL_WIDTH - 6), 2, AXIS_HEIGHT + laneIndex * laneHeight + laneHeight / 2);
    });
  };

  const runAt = (x: number, y: number): RunView | undefined => {
    const { laneHeight } = geometry();
    const lane = lanes[Math.floor((y - AXIS_HEIGHT) / laneHeight)];
    if (lane === undefined || x < LABEL_WIDTH) return undefined;
    const time = timeAt(x);
    const { from, to } = shown();
    const slack = ((to - from) / geometry().plotWidth) * 2;
    for (let position = firstVisible(lane.runs, runs, time - slack, longest); position < lane.runs.length; position += 1) {
      const run = runs[lane.runs[position] as number] as RunView;
      if (run.start > time + slack) break;
      if ((run.end ?? now) >= time - slack) return run;
    }
    return undefined;
  };

  attachPointer(canvas, {
    onZoom(factor, x) {
      const { from, to } = shown();
      const pivot = timeAt(x);
      const span = Math.max(5, (to - from) / factor);
      const share = (pivot - from) / (to - from);
      window = { from: pivot - share * span, to: pivot - share * span + span };
      requestDraw();
    },
    onPan(dx) {
      const { from, to } = shown();
      const shift = (-dx / geometry().plotWidth) * (to - from);
      window = { from: from + shift, to: to + shift };
      requestDraw();
    },
    onClick(x, y) {
      const run = runAt(x, y);
      if (run !== undefined) onSelect(run.task);
    },
    onHover(x, y) {
      const run = runAt(x, y);
      if (run === undefined) {
        tooltip.hidden = true;
        return;
      }
      tooltip.hidden = false;
      const end = run.end ?? now;
      tooltip.textContent = `${run.task} · attempt ${run.attempt} · ${run.outcome ?? 'running'}${run.interrupted === true ? ' (interrupted)' : ''} · ${Math.round(end - run.start)} ms${run.node === undefined ? '' : ` · node ${run.node}`}`;
      tooltip.style.left = `${Math.min(x + 12, canvas.clientWidth - 260)}px`;
      tooltip.style.top = `${y + 14}px`;
      tooltip.dataset['task'] = run.task;
    },
    onLeave() {
      tooltip.hidden = true;
    },
  });
  canvas.addEventListener('dblclick', () => {
    window = undefined;
    requestDraw();
  });
  new ResizeObserver(() => requestDraw()).observe(container);

  return {
    update(nextRuns, runsVersion, nextNow) {
      now = nextNow;
      runs = nextRuns;
      // Lanes of a long run cost a few ms to rebuild: at most four times a second once there are many.
      const due = runs.length < 5000 || performance.now() - lanesBuiltAt > 250;
      if (runsVersion !== lanesVersion && due) {
        lanesVersion = runsVersion;
        lanesBuiltAt = performance.now();
        lanes = assignLanes(runs);
        start = Number.POSITIVE_INFINITY;
        longest = 0;
        for (const run of runs) {
          start = Math.min(start, run.start);
          if (run.end !== null) longest = Math.max(longest, run.end - run.start);
        }
        if (!Number.isFinite(start)) start = now;
      } else if (runsVersion !== lanesVersion && !rebuildPending) {
        rebuildPending = true;
        setTimeout(() => {
          rebuildPending = false;
          this.update(runs, runsVersion, now);
        }, 260);
      }
      requestDraw();
    },
    fit() {
      window = undefined;
      requestDraw();
    },
  };
}
