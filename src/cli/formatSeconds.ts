/**
 * A duration for people: seconds with two decimals below a minute (`0.31s`, `12.40s`), minutes
 * and seconds above (`3m 07s`).
 *
 * @example
 * formatSeconds(310); // '0.31s'
 * formatSeconds(187_000); // '3m 07s'
 */
export function formatSeconds(ms: number): string {
  if (ms < 60_000) return `${(ms / 1000).toFixed(2)}s`;
  const seconds = Math.round(ms / 1000);
  return `${Math.floor(seconds / 60)}m ${String(seconds % 60).padStart(2, '0')}s`;
}
