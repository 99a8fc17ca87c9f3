// Zoom and pan for the canvas views: a scale and an offset from world units to CSS pixels.
import type { Bounds } from './graphLayout.js';

export interface Viewport {
  readonly scale: number;
  /** Screen position of the world origin, in CSS pixels. */
  readonly x: number;
  readonly y: number;
}

export const MIN_SCALE = 0.005;
export const MAX_SCALE = 8;

function clampScale(scale: number): number {
  return Math.min(MAX_SCALE, Math.max(MIN_SCALE, scale));
}

/** The viewport that shows all of `bounds` centred in a `width`×`height` panel with `padding` around, never zoomed in past 1:1. */
export function fitViewport(bounds: Bounds, width: number, height: number, padding = 16): Viewport {
  const usableWidth = Math.max(1, width - 2 * padding);
  const usableHeight = Math.max(1, height - 2 * padding);
  const scale = clampScale(Math.min(1, usableWidth / Math.max(1, bounds.width), usableHeight / Math.max(1, bounds.height)));
  return {
    scale,
    x: (width - bounds.width * scale) / 2 - bounds.x * scale,
    y: (height - bounds.height * scale) / 2 - bounds.y * scale,
  };
}

/** Zooms by `factor` keeping the world point under the screen point (`px`, `py`) where it is. */
export function zoomAt(view: Viewport, factor: number, px: number, py: number): Viewport {
  const scale = clampScale(view.scale * factor);
  const applied = scale / view.scale;
  return { scale, x: px - (px - view.x) * applied, y: py - (py - view.y) * applied };
}

/** The world point under a screen point. */
export function toWorld(view: Viewport, px: number, py: number): { x: number; y: number } {
  return { x: (px - view.x) / view.scale, y: (py - view.y) / view.scale };
}
