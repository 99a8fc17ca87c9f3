/** ANSI SGR codes: [on, off]. */
const STYLES = {
  bold: [1, 22],
  dim: [2, 22],
  red: [31, 39],
  green: [32, 39],
  yellow: [33, 39],
  cyan: [36, 39],
} as const;

/** A style {@link createPainter} knows. */
export type Style = keyof typeof STYLES;

/** Wraps text in a style's escape codes, or returns it unchanged when colour is off. */
export type Painter = (style: Style, text: string) => string;

/**
 * A painter for terminal text. Colour is on only when `isEnabled` (the stream is a terminal) and
 * the environment does not ask for none (`NO_COLOR`, `TERM=dumb`).
 *
 * @example
 * const paint = createPainter(process.stdout.isTTY === true);
 * console.log(paint('green', 'completed'));
 */
export function createPainter(isEnabled: boolean, env: NodeJS.ProcessEnv = process.env): Painter {
  const hasColour = isEnabled && env['NO_COLOR'] === undefined && env['TERM'] !== 'dumb';
  if (!hasColour) return (_style, text) => text;
  return (style, text) => `\x1b[${STYLES[style][0]}m${text}\x1b[${STYLES[style][1]}m`;
}
