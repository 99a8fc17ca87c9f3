/**
 * Formats rows as a plain-text table with a header line, columns aligned (numbers to the right).
 * Whole numbers are shown as they are, others with `digits` decimals.
 *
 * @example
 * formatTable([{ policy: 'fifo', ratio: 1.1234 }], 3);
 * // policy  ratio
 * // fifo    1.123
 */
export function formatTable<Row extends { readonly [K in keyof Row]: string | number }>(rows: readonly Row[], digits = 2): string {
  const first = rows[0];
  if (!first) return '';
  const columns = Object.keys(first) as (keyof Row & string)[];
  const cell = (value: string | number | undefined): string =>
    typeof value === 'number' ? (Number.isInteger(value) ? String(value) : value.toFixed(digits)) : (value ?? '');
  const cells = rows.map((row) => columns.map((column) => cell(row[column])));
  const widths = columns.map((column, i) => Math.max(column.length, ...cells.map((line) => (line[i] ?? '').length)));
  const isNumeric = columns.map((column) => typeof first[column] === 'number');
  const render = (line: readonly string[]): string =>
    line
      .map((text, i) => (isNumeric[i] ? text.padStart(widths[i] ?? 0) : text.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd();
  return [render(columns), ...cells.map(render)].join('\n');
}
