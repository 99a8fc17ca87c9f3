import { svgCanvas, svgElement } from './svg.js';

/** Most runs drawn: the newest ones. */
export const MAX_GANTT_RUNS = 400;
const ROW_HEIGHT = 22;
const LEFT = 60;
const TOP = 18;
const MIN_WIDTH = 600;

function formatSpan(ms) {
  return ms >= 1000 ? `${(ms / 1000).toFixed(1)} s` : `${Math.round(ms)} ms`;
}

/**
 * A Gantt chart of task runs: one row per worker slot, one bar per attempt from its start to its
 * end (or to now while it runs), coloured by the state it ended in, labelled with the node it ran on
 * in a distributed run. Only the newest
 * {@link MAX_GANTT_RUNS} runs are drawn.
 */
export function createGanttView(container, note, onSelect) {
  container.addEventListener('click', (event) => {
    const bar = event.target.closest('.run');
    if (bar) onSelect(bar.dataset.task);
  });
  return {
    update(allRuns, slotCount, now) {
      const runs = allRuns.length > MAX_GANTT_RUNS ? allRuns.slice(allRuns.length - MAX_GANTT_RUNS) : allRuns;
      note.textContent = allRuns.length > MAX_GANTT_RUNS ? `newest ${MAX_GANTT_RUNS} of ${allRuns.length} runs` : `${allRuns.length} runs`;
      const slots = Math.max(slotCount, ...runs.map((run) => run.slot + 1));
      const width = Math.max(MIN_WIDTH, container.clientWidth - 4);
      const svg = svgCanvas(width, TOP + slots * ROW_HEIGHT + 4);
      const start = runs.length === 0 ? now : Math.min(...runs.map((run) => run.start));
      const span = Math.max(1, now - start);
      const x = (time) => LEFT + ((time - start) / span) * (width - LEFT - 8);
      for (let slot = 0; slot < slots; slot += 1) {
        svgElement('text', { x: 4, y: TOP + slot * ROW_HEIGHT + 15 }, svg).textContent = `worker ${slot + 1}`;
        svgElement('line', { class: 'axis', x1: LEFT, x2: width - 8, y1: TOP + (slot + 1) * ROW_HEIGHT, y2: TOP + (slot + 1) * ROW_HEIGHT }, svg);
      }
      for (const fraction of [0, 0.25, 0.5, 0.75, 1]) {
        const text = svgElement('text', { x: x(start + span * fraction), y: 12, 'text-anchor': fraction === 1 ? 'end' : 'start' }, svg);
        text.textContent = `+${formatSpan(span * fraction)}`;
      }
      for (const run of runs) {
        const left = x(run.start);
        const right = Math.max(left + 2, x(run.end ?? now));
        const outcome = run.outcome === null ? 'running' : run.outcome.split('.')[0];
        const where = run.node === undefined ? {} : { 'data-node': run.node };
        const bar = svgElement('rect', { class: `run o-${outcome}`, x: left, y: TOP + run.slot * ROW_HEIGHT + 2, width: right - left, height: ROW_HEIGHT - 4, rx: 2, 'data-task': run.task, 'data-outcome': outcome, ...where }, svg);
        const onNode = run.node === undefined ? '' : ` on node ${run.node}`;
        svgElement('title', {}, bar).textContent = `${run.task} attempt ${run.attempt}${onNode}: ${outcome}, ${formatSpan((run.end ?? now) - run.start)}`;
        const label = run.node === undefined ? run.task : `${run.task} @${run.node}`;
        if (right - left > 50) svgElement('text', { x: left + 3, y: TOP + run.slot * ROW_HEIGHT + 15 }, svg).textContent = label;
      }
      container.replaceChildren(svg);
    },
  };
}
