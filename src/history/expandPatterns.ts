import { readdirSync, statSync, type Dirent } from 'node:fs';
import { isAbsolute, join, relative, resolve, sep } from 'node:path';

const GLOB_CHARS = /[*?[{]/;

/** Turns one glob into a regular expression over `/`-separated relative paths. */
function globToRegExp(glob: string): RegExp {
  let source = '';
  let inGroup = 0;
  for (let i = 0; i < glob.length; i++) {
    const char = glob[i] as string;
    if (char === '*') {
      if (glob[i + 1] === '*') {
        // `**/` matches any number of folders (none included); a trailing `**` anything below.
        const slash = glob[i + 2] === '/';
        source += slash ? '(?:[^/]+/)*' : '.*';
        i += slash ? 2 : 1;
      } else source += '[^/]*';
    } else if (char === '?') source += '[^/]';
    else if (char === '[') {
      const end = glob.indexOf(']', i + 1);
      if (end === -1) source += '\\[';
      else {
        const body = glob.slice(i + 1, end).replace(/^!/, '^').replace(/\\/g, '\\\\');
        source += `[${body}]`;
        i = end;
      }
    } else if (char === '{') {
      inGroup++;
      source += '(?:';
    } else if (char === '}' && inGroup > 0) {
      inGroup--;
      source += ')';
    } else if (char === ',' && inGroup > 0) source += '|';
    else source += char.replace(/[.+^$()|\\]/g, '\\$&');
  }
  return new RegExp(`^${source}$`);
}

/** Every file under `folder` (symbolic links to files included, linked folders not followed: they could loop). */
function filesUnder(folder: string, into: string[]): void {
  let entries: Dirent[];
  try {
    entries = readdirSync(folder, { withFileTypes: true });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return;
    throw error;
  }
  for (const entry of entries) {
    const path = join(folder, entry.name);
    if (entry.isDirectory()) filesUnder(path, into);
    else if (entry.isFile() || (entry.isSymbolicLink() && statSync(path, { throwIfNoEntry: false })?.isFile() === true)) into.push(path);
  }
}

/** A glob split at its longest folder prefix without glob characters: that folder, and a matcher for paths below it. */
function splitGlob(base: string, pattern: string): { root: string; matcher: RegExp } {
  const parts = pattern.split('/');
  const fixed: string[] = [];
  for (const part of parts) {
    if (GLOB_CHARS.test(part)) break;
    fixed.push(part);
  }
  const root = isAbsolute(pattern) ? fixed.join('/') || '/' : resolve(base, fixed.join('/'));
  return { root, matcher: globToRegExp(parts.slice(fixed.length).join('/')) };
}

/** `path` relative to `base`, with `/` separators (what keys and the history hold). */
export function toKeyPath(base: string, path: string): string {
  return relative(base, path).split(sep).join('/');
}

/**
 * The files a task's `inputs` (or `outputs`) name, relative to `base` with `/` separators, sorted
 * and without duplicates. A pattern without glob characters names a file (kept even when it does
 * not exist, so that its absence is part of the key) or a folder (every file below it); a glob
 * (`*`, `**`, `?`, `[…]`, `{a,b}`) names the files that exist and match it.
 *
 * @example
 * expandPatterns('/work/flow', ['inputs/*.txt', 'lemmas/**\/*.v']); // ['inputs/c1.txt', 'lemmas/a/x.v']
 */
export function expandPatterns(base: string, patterns: readonly string[]): string[] {
  const found = new Set<string>();
  for (const pattern of patterns) {
    const absolute = resolve(base, pattern);
    if (!GLOB_CHARS.test(pattern)) {
      if (statSync(absolute, { throwIfNoEntry: false })?.isDirectory()) {
        const files: string[] = [];
        filesUnder(absolute, files);
        for (const file of files) found.add(toKeyPath(base, file));
      } else found.add(toKeyPath(base, absolute));
      continue;
    }
    // Walk from the longest folder prefix without glob characters.
    const { root, matcher } = splitGlob(base, pattern);
    const files: string[] = [];
    filesUnder(root, files);
    for (const file of files) {
      if (matcher.test(toKeyPath(root, file))) found.add(toKeyPath(base, file));
    }
  }
  return [...found].sort();
}

/**
 * Whether `path` (relative to `base`, `/`-separated, as {@link expandPatterns} gives it) is one
 * the patterns name, whether or not it exists: a restore writes only where the task's declared
 * outputs say.
 *
 * @example
 * isNamedBy('/work/flow', ['out/*.txt'], 'out/a.txt'); // true
 */
export function isNamedBy(base: string, patterns: readonly string[], path: string): boolean {
  const absolute = resolve(base, path);
  return patterns.some((pattern) => {
    const named = resolve(base, pattern);
    if (!GLOB_CHARS.test(pattern)) return absolute === named || absolute.startsWith(`${named}${sep}`);
    const { root, matcher } = splitGlob(base, pattern);
    const inside = relative(root, absolute);
    return !inside.startsWith('..') && !isAbsolute(inside) && matcher.test(inside.split(sep).join('/'));
  });
}
