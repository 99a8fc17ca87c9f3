/**
 * Resource amounts as `name amount` pairs, or `-` for none.
 *
 * @example
 * formatAmounts({ cpu: 2, memory: 0.5 }); // 'cpu 2, memory 0.5'
 */
export function formatAmounts(amounts: Readonly<Record<string, number | 'auto'>>): string {
  const pairs = Object.entries(amounts).map(([name, amount]) => `${name} ${amount}`);
  return pairs.length === 0 ? '-' : pairs.join(', ');
}
