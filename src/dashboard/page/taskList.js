import { htmlElement, stateClass, stateLabel } from './svg.js';

const ROW_HEIGHT = 22;
const OVERSCAN = 10;

/**
 * A virtualised task list: only the rows in view (plus a few) exist in the DOM, so a list of
 * tens of thousands of tasks scrolls and updates as fast as one of fifty.
 */
export function createTaskList(container, onSelect) {
  const spacer = container.querySelector('.virtual-spacer');
  let rows = [];
  let selectedId = null;
  const draw = () => {
    spacer.style.height = `${rows.length * ROW_HEIGHT}px`;
    const first = Math.max(0, Math.floor(container.scrollTop / ROW_HEIGHT) - OVERSCAN);
    const last = Math.min(rows.length, Math.ceil((container.scrollTop + container.clientHeight) / ROW_HEIGHT) + OVERSCAN);
    const fragment = document.createDocumentFragment();
    for (let index = first; index < last; index += 1) {
      const task = rows[index];
      const row = htmlElement('div', `row ${stateClass(task.state)}`, undefined, fragment);
      row.style.top = `${index * ROW_HEIGHT}px`;
      row.dataset.taskId = task.id;
      row.dataset.state = task.state;
      row.setAttribute('role', 'option');
      row.setAttribute('aria-selected', String(task.id === selectedId));
      htmlElement('span', 'id', task.name === task.id ? task.id : `${task.id} (${task.name})`, row);
      htmlElement('span', 'state', stateLabel(task), row);
      htmlElement('span', 'priority', `p${task.priority}`, row);
    }
    container.querySelectorAll('.row').forEach((row) => row.remove());
    container.appendChild(fragment);
  };
  container.addEventListener('scroll', () => requestAnimationFrame(draw));
  container.addEventListener('click', (event) => {
    const row = event.target.closest('.row');
    if (row) onSelect(row.dataset.taskId);
  });
  return {
    update(nextRows, nextSelectedId) {
      rows = nextRows;
      selectedId = nextSelectedId;
      draw();
    },
  };
}
