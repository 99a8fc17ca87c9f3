// A virtualised task list: only the rows in view (plus a few) exist in the DOM, so tens of
// thousands of tasks scroll and update as fast as fifty.
import type { TaskView } from '../protocol.js';
import { categoryOf } from './aggregate.js';
import { htmlElement, stateLabel } from './dom.js';

const ROW_HEIGHT = 22;
const OVERSCAN = 10;

export interface TaskList {
  update(rows: readonly TaskView[], selectedId: string | null): void;
}

export function createTaskList(container: HTMLElement, onSelect: (id: string) => void): TaskList {
  const spacer = htmlElement('div', 'virtual-spacer', undefined, container);
  let rows: readonly TaskView[] = [];
  let selectedId: string | null = null;
  const draw = (): void => {
    spacer.style.height = `${rows.length * ROW_HEIGHT}px`;
    const first = Math.max(0, Math.floor(container.scrollTop / ROW_HEIGHT) - OVERSCAN);
    const last = Math.min(rows.length, Math.ceil((container.scrollTop + container.clientHeight) / ROW_HEIGHT) + OVERSCAN);
    const fragment = document.createDocumentFragment();
    for (let index = first; index < last; index += 1) {
      const task = rows[index] as TaskView;
      const row = htmlElement('div', `row c-${categoryOf(task.state)}`, undefined, fragment);
      row.style.top = `${index * ROW_HEIGHT}px`;
      row.dataset['taskId'] = task.id;
      row.dataset['state'] = task.state;
      row.setAttribute('role', 'option');
      row.setAttribute('aria-selected', String(task.id === selectedId));
      htmlElement('span', 'dot', undefined, row);
      htmlElement('span', 'id', task.name === task.id ? task.id : `${task.id} (${task.name})`, row);
      htmlElement('span', 'state', stateLabel(task), row);
      htmlElement('span', 'priority', `p${task.priority}`, row);
    }
    container.querySelectorAll('.row').forEach((row) => row.remove());
    container.appendChild(fragment);
  };
  container.addEventListener('scroll', () => requestAnimationFrame(draw));
  container.addEventListener('click', (event) => {
    const row = (event.target as Element).closest<HTMLElement>('.row');
    if (row?.dataset['taskId'] !== undefined) onSelect(row.dataset['taskId']);
  });
  return {
    update(nextRows, nextSelectedId) {
      rows = nextRows;
      selectedId = nextSelectedId;
      draw();
    },
  };
}
