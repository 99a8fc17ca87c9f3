// Resizable panels: dragging a splitter changes a CSS variable of the layout; sizes are kept in
// localStorage, so the page opens as the person left it.
const STORAGE_KEY = 'xeno-dashboard-layout';

type Sizes = Record<string, number>;

function loadSizes(): Sizes {
  try {
    const stored = JSON.parse(localStorage.getItem(STORAGE_KEY) ?? '{}') as unknown;
    return typeof stored === 'object' && stored !== null ? (stored as Sizes) : {};
  } catch {
    return {};
  }
}

/** Splitter `left` sizes the task list, `right` the side column, `center` the graph above the timeline. */
export function attachSplitters(layout: HTMLElement, center: HTMLElement): void {
  const sizes = loadSizes();
  const apply = (): void => {
    if (sizes['left'] !== undefined) layout.style.setProperty('--left', `${sizes['left']}px`);
    if (sizes['right'] !== undefined) layout.style.setProperty('--right', `${sizes['right']}px`);
    if (sizes['center'] !== undefined) center.style.setProperty('--top', `${sizes['center']}px`);
  };
  apply();
  for (const splitter of Array.from(layout.querySelectorAll<HTMLElement>('.splitter'))) {
    const name = splitter.dataset['split'] ?? '';
    splitter.addEventListener('pointerdown', (down) => {
      splitter.setPointerCapture(down.pointerId);
      const startX = down.clientX;
      const startY = down.clientY;
      const leftStart = (layout.querySelector('#tasks-panel') as HTMLElement).offsetWidth;
      const rightStart = (layout.querySelector('#side') as HTMLElement).offsetWidth;
      const topStart = (center.querySelector('#views-top') as HTMLElement).offsetHeight;
      const move = (event: PointerEvent): void => {
        if (name === 'left') sizes['left'] = Math.max(160, leftStart + event.clientX - startX);
        if (name === 'right') sizes['right'] = Math.max(240, rightStart - (event.clientX - startX));
        if (name === 'center') sizes['center'] = Math.max(120, topStart + event.clientY - startY);
        apply();
      };
      const up = (): void => {
        splitter.removeEventListener('pointermove', move);
        localStorage.setItem(STORAGE_KEY, JSON.stringify(sizes));
      };
      splitter.addEventListener('pointermove', move);
      splitter.addEventListener('pointerup', up, { once: true });
    });
  }
}
