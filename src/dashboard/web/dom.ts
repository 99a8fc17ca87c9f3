// Small DOM helpers and the page's colours. Text is written with textContent only, so task names
// can never inject markup.
import type { TaskView } from '../protocol.js';
import type { Category } from './aggregate.js';

/** Creates an HTML element with a class and text, appended to `parent` when given. */
export function htmlElement<K extends keyof HTMLElementTagNameMap>(tag: K, className?: string, text?: string | number, parent?: Node): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  if (className !== undefined) element.className = className;
  if (text !== undefined) element.textContent = String(text);
  parent?.appendChild(element);
  return element;
}

/** The element with this id, which the page's HTML always has. */
export function byId<T extends HTMLElement = HTMLElement>(id: string): T {
  const element = document.getElementById(id);
  if (element === null) throw new Error(`the page has no #${id}`);
  return element as T;
}

/** Colours of the categories, the same in every view and in the CSS. */
export const CATEGORY_COLOURS: Readonly<Record<Category, string>> = {
  done: '#2f9e44',
  failed: '#e03131',
  cancelled: '#495057',
  running: '#1c7ed6',
  ready: '#f2c94c',
  waiting: '#ced4da',
};

/** Colour of an attempt by how it ended (running while it has no outcome). */
export function outcomeColour(outcome: string | null): string {
  if (outcome === null) return CATEGORY_COLOURS.running;
  if (outcome === 'completed') return CATEGORY_COLOURS.done;
  if (outcome === 'failed') return CATEGORY_COLOURS.failed;
  if (outcome === 'cancelled') return CATEGORY_COLOURS.cancelled;
  // Left running for a retry (backoff) or back to waiting: it did not succeed.
  return '#f08c00';
}

/** A task's state in words: a dispatched one says it waits for a worker, and on which node; a cached one says so. */
export function stateLabel(task: Pick<TaskView, 'state' | 'node' | 'cached'>): string {
  if (task.state === 'pending.dispatched') return task.node === undefined ? 'dispatched, waiting for a worker' : `waiting for a worker on ${task.node}`;
  return task.cached === true ? `${task.state} (cached)` : task.state;
}

/** Sets a canvas's backing store to its CSS size times the device pixel ratio; returns its 2D context scaled to CSS pixels. */
export function prepareCanvas(canvas: HTMLCanvasElement): { context: CanvasRenderingContext2D; width: number; height: number } {
  const ratio = window.devicePixelRatio || 1;
  const width = canvas.clientWidth;
  const height = canvas.clientHeight;
  if (canvas.width !== Math.round(width * ratio) || canvas.height !== Math.round(height * ratio)) {
    canvas.width = Math.round(width * ratio);
    canvas.height = Math.round(height * ratio);
  }
  const context = canvas.getContext('2d') as CanvasRenderingContext2D;
  context.setTransform(ratio, 0, 0, ratio, 0, 0);
  context.clearRect(0, 0, width, height);
  return { context, width, height };
}

/** Text cut to fit `maxWidth` pixels, with an ellipsis. */
export function fitText(context: CanvasRenderingContext2D, text: string, maxWidth: number): string {
  if (context.measureText(text).width <= maxWidth) return text;
  let low = 0;
  let high = text.length;
  while (low < high) {
    const middle = (low + high + 1) >> 1;
    if (context.measureText(`${text.slice(0, middle)}…`).width <= maxWidth) low = middle;
    else high = middle - 1;
  }
  return low === 0 ? '' : `${text.slice(0, low)}…`;
}

/**
 * Wheel to zoom and drag to pan on a canvas, a click that did not drag to pick, and a move to
 * hover. `onZoom` gets a factor and the pointer's position; `onPan` the movement in pixels.
 */
export function attachPointer(
  canvas: HTMLCanvasElement,
  handlers: { onZoom(factor: number, x: number, y: number): void; onPan(dx: number, dy: number): void; onClick(x: number, y: number): void; onHover?(x: number, y: number): void; onLeave?(): void },
): void {
  let drag: { x: number; y: number; moved: boolean } | undefined;
  canvas.addEventListener('wheel', (event) => {
    event.preventDefault();
    const rect = canvas.getBoundingClientRect();
    handlers.onZoom(Math.exp(-event.deltaY * 0.0015), event.clientX - rect.left, event.clientY - rect.top);
  }, { passive: false });
  canvas.addEventListener('pointerdown', (event) => {
    drag = { x: event.clientX, y: event.clientY, moved: false };
    canvas.setPointerCapture(event.pointerId);
  });
  canvas.addEventListener('pointermove', (event) => {
    const rect = canvas.getBoundingClientRect();
    if (drag === undefined) {
      handlers.onHover?.(event.clientX - rect.left, event.clientY - rect.top);
      return;
    }
    const dx = event.clientX - drag.x;
    const dy = event.clientY - drag.y;
    if (!drag.moved && Math.abs(dx) + Math.abs(dy) < 4) return;
    drag = { x: event.clientX, y: event.clientY, moved: true };
    handlers.onPan(dx, dy);
  });
  canvas.addEventListener('pointerup', (event) => {
    const rect = canvas.getBoundingClientRect();
    if (drag !== undefined && !drag.moved) handlers.onClick(event.clientX - rect.left, event.clientY - rect.top);
    drag = undefined;
  });
  canvas.addEventListener('pointerleave', () => handlers.onLeave?.());
}

/** A function that runs `draw` on the next animation frame, once however often it is called before then. */
export function onNextFrame(draw: () => void): () => void {
  let pending = false;
  return () => {
    if (pending) return;
    pending = true;
    requestAnimationFrame(() => {
      pending = false;
      draw();
    });
  };
}
