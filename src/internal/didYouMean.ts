/** Levenshtein distance between two strings, compared case-insensitively. */
function editDistance(a: string, b: string): number {
  const left = a.toLowerCase();
  const right = b.toLowerCase();
  let previous = Array.from({ length: right.length + 1 }, (_, index) => index);
  for (let i = 1; i <= left.length; i++) {
    const current = [i];
    for (let j = 1; j <= right.length; j++) {
      const substitution = (previous[j - 1] ?? 0) + (left[i - 1] === right[j - 1] ? 0 : 1);
      current.push(Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, substitution));
    }
    previous = current;
  }
  return previous[right.length] ?? 0;
}

/**
 * The candidate closest to `word` in edit distance, or undefined when none is close (more edits
 * than 40% of the word's length, and at least 2 allowed).
 *
 * @example
 * ```ts
 * closestMatch('max_worker', ['max_workers', 'timeout']); // 'max_workers'
 * ```
 */
export function closestMatch(word: string, candidates: Iterable<string>): string | undefined {
  const limit = Math.max(2, Math.ceil(word.length * 0.4));
  let best: { candidate: string; distance: number } | undefined;
  for (const candidate of candidates) {
    const distance = editDistance(word, candidate);
    if (distance <= limit && (best === undefined || distance < best.distance)) best = { candidate, distance };
  }
  return best?.candidate;
}

/**
 * The candidate closest to `word` as a hint such as `did you mean "max_workers"?`, or undefined
 * when none is close (see {@link closestMatch}).
 *
 * @example
 * ```ts
 * didYouMean('max_worker', ['max_workers', 'timeout']); // 'did you mean "max_workers"?'
 * didYouMean('colour', ['timeout']);                    // undefined
 * ```
 */
export function didYouMean(word: string, candidates: Iterable<string>): string | undefined {
  const match = closestMatch(word, candidates);
  return match === undefined ? undefined : `did you mean "${match}"?`;
}
