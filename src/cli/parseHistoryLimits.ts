import { InvalidArgumentError } from 'commander';

const AGE_UNITS: Readonly<Record<string, number>> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };
const SIZE_UNITS: Readonly<Record<string, number>> = { '': 1, b: 1, kb: 1e3, mb: 1e6, gb: 1e9, kib: 1024, mib: 1024 ** 2, gib: 1024 ** 3 };

/**
 * A commander parser for an age such as `30d`, `12h`, `90m`, `45s` or `2w`: milliseconds.
 *
 * @example
 * parseAge('30d'); // 2592000000
 */
export function parseAge(text: string): number {
  const match = /^\s*(\d+(?:\.\d+)?)\s*([smhdw])\s*$/i.exec(text);
  const unit = AGE_UNITS[match?.[2]?.toLowerCase() ?? ''];
  if (match === null || unit === undefined) throw new InvalidArgumentError(`expected an age such as 30d, 12h, 90m or 45s, received "${text}".`);
  return Number(match[1]) * unit;
}

/**
 * A commander parser for a size such as `100MB`, `1.5GB`, `512KiB` or `4096` (bytes): bytes.
 *
 * @example
 * parseSize('100MB'); // 100000000
 */
export function parseSize(text: string): number {
  const match = /^\s*(\d+(?:\.\d+)?)\s*([a-z]*)\s*$/i.exec(text);
  const unit = SIZE_UNITS[match?.[2]?.toLowerCase() ?? 'x'];
  if (match === null || unit === undefined) throw new InvalidArgumentError(`expected a size such as 100MB, 1.5GB, 512KiB or 4096 (bytes), received "${text}".`);
  return Math.floor(Number(match[1]) * unit);
}

/**
 * Bytes for people: `1.5 MB`, `512 B`.
 *
 * @example
 * formatBytes(1_500_000); // '1.5 MB'
 */
export function formatBytes(bytes: number): string {
  if (bytes < 1000) return `${bytes} B`;
  const units = ['kB', 'MB', 'GB', 'TB'];
  let value = bytes / 1000;
  let unit = 0;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit++;
  }
  return `${Number(value.toFixed(value < 10 ? 1 : 0))} ${units[unit]}`;
}
