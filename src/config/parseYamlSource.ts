import { isMap, isNode, isPair, isScalar, isSeq, LineCounter, parseDocument, type Document } from 'yaml';
import { ConfigurationError, type ConfigIssue } from '../errors.js';

/** A segment of a key path inside a YAML file: a mapping key or a list index. */
export type KeyPath = readonly (string | number)[];

/** A parsed YAML file that can say where each key path lies. */
export interface YamlSource {
  /** The file's path, or '<string>'. */
  readonly file: string;
  /** The document as plain data (`null` for an empty file). */
  readonly data: unknown;
  /** The 1-based line of the key at `path` (of the item, for a list index), or of its nearest existing ancestor. */
  lineOf(path: KeyPath): number | undefined;
  /** An issue located at `path` in this file. */
  issue(path: KeyPath, expected: string, found: string, hint?: string): ConfigIssue;
}

/** Joins a key path as a dot path, e.g. `scheduler.task_scheduler.max_workers`. */
export function formatKeyPath(path: KeyPath): string {
  return path.join('.');
}

/** Builds a ConfigIssue, leaving `hint` out when there is none. */
export function configIssue(
  file: string,
  path: KeyPath,
  line: number | undefined,
  expected: string,
  found: string,
  hint: string | undefined,
): ConfigIssue {
  const issue = { file, path: formatKeyPath(path), line, expected, found };
  return hint === undefined ? issue : { ...issue, hint };
}

function keyText(key: unknown): string | undefined {
  return isScalar(key) ? String(key.value) : undefined;
}

function startOf(node: unknown): number | undefined {
  return isNode(node) && node.range ? node.range[0] : undefined;
}

/** One issue per repeated key: yaml reports them, but without the key path. */
function duplicateKeyIssues(doc: Document, lines: LineCounter, file: string): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  const visit = (node: unknown, path: KeyPath): void => {
    if (isMap(node)) {
      const firstLines = new Map<string, number | undefined>();
      for (const pair of node.items) {
        const key = keyText(pair.key);
        if (key === undefined) continue;
        const start = startOf(pair.key);
        const line = start === undefined ? undefined : lines.linePos(start).line;
        if (firstLines.has(key)) {
          const first = firstLines.get(key);
          issues.push(configIssue(file, [...path, key], line, 'each key once', `"${key}" again (first at line ${first})`, 'rename or merge the two entries'));
        } else {
          firstLines.set(key, line);
          visit(pair.value, [...path, key]);
        }
      }
    } else if (isSeq(node)) {
      node.items.forEach((item, index) => visit(item, [...path, index]));
    }
  };
  visit(doc.contents, []);
  return issues;
}

/** What a mapping key that cannot be kept as plain data's key is, or undefined for a good key. */
function badKey(key: unknown): string | undefined {
  if (isMap(key)) return 'a mapping';
  if (isSeq(key)) return 'a list';
  if (!isScalar(key)) return key === null || key === undefined ? 'no key' : 'a key that is not plain text';
  if (key.value === null || key.value === undefined) return 'null';
  if (typeof key.value === 'object') return 'a key that is not plain text';
  const text = String(key.value);
  if (text === '') return '""';
  // Plain data cannot hold it: it would set the object's prototype, and the entry would be dropped.
  if (text === '__proto__') return '"__proto__" (it cannot be kept as a key)';
  return undefined;
}

/**
 * One issue per mapping key that would not survive as a key of plain data: an empty or null key,
 * `__proto__`, a list or mapping as a key (yaml would turn it into text).
 */
function badKeyIssues(doc: Document, lines: LineCounter, file: string): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  const visit = (node: unknown, path: KeyPath): void => {
    if (isMap(node)) {
      for (const pair of node.items) {
        const found = badKey(pair.key);
        if (found !== undefined) {
          const start = startOf(pair.key) ?? startOf(pair.value);
          const line = start === undefined ? undefined : lines.linePos(start).line;
          issues.push(configIssue(file, path, line, 'a key of non-empty text, not __proto__', found, undefined));
          continue;
        }
        visit(pair.value, [...path, keyText(pair.key) ?? '']);
      }
    } else if (isSeq(node)) {
      node.items.forEach((item, index) => visit(item, [...path, index]));
    }
  };
  visit(doc.contents, []);
  return issues;
}

/** The parser's message, in our words where the parser's talk to a programmer. */
function syntaxProblem(error: { code: string; message: string }): { expected: string; found: string } {
  if (error.code === 'MULTIPLE_DOCS') return { expected: 'one YAML document', found: 'more than one (a "---" line starts another)' };
  return { expected: 'valid YAML', found: error.message.split('\n')[0] ?? error.code };
}

/**
 * Parses YAML text, throwing a {@link ConfigurationError} for malformed YAML (with the parser's
 * line) and for repeated keys (with their key path and line).
 *
 * @example
 * ```ts
 * const source = parseYamlSource('a:\n  b: 1\n', 'x.yaml');
 * source.lineOf(['a', 'b']); // 2
 * ```
 */
export function parseYamlSource(text: string, file: string): YamlSource {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false });
  const syntaxErrors = doc.errors.filter((error) => error.code !== 'DUPLICATE_KEY');
  if (syntaxErrors.length > 0) {
    throw new ConfigurationError(
      syntaxErrors.map((error) => {
        const { expected, found } = syntaxProblem(error);
        return configIssue(file, [], error.linePos?.[0].line ?? lines.linePos(error.pos[0]).line, expected, found, undefined);
      }),
    );
  }
  const duplicates = [...badKeyIssues(doc, lines, file), ...duplicateKeyIssues(doc, lines, file)];
  if (duplicates.length > 0) throw new ConfigurationError(duplicates);
  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount: 100 });
  } catch (error) {
    // yaml refuses alias bombs, and aliases with no anchor before them, here, after parsing succeeded
    const message = error instanceof Error ? error.message : String(error);
    const unresolved = /^Unresolved alias.*: (.*)$/.exec(message);
    throw new ConfigurationError([
      unresolved
        ? configIssue(file, [], undefined, 'each alias (*name) after its anchor (&name)', `*${unresolved[1]} with no anchor &${unresolved[1]} before it`, undefined)
        : configIssue(file, [], undefined, 'YAML with at most 100 alias expansions', message, undefined),
    ]);
  }

  const lineOf = (path: KeyPath): number | undefined => {
    let node: unknown = doc.contents;
    let offset = startOf(node);
    for (const segment of path) {
      if (isMap(node)) {
        const pair = node.items.find((item) => isPair(item) && keyText(item.key) === String(segment));
        if (!pair) break;
        offset = startOf(pair.key) ?? startOf(pair.value) ?? offset;
        node = pair.value;
      } else if (isSeq(node) && typeof segment === 'number' && segment < node.items.length) {
        node = node.items[segment];
        offset = startOf(node) ?? offset;
      } else {
        break;
      }
    }
    return offset === undefined ? undefined : lines.linePos(offset).line;
  };
  return {
    file,
    data,
    lineOf,
    issue: (path, expected, found, hint) => configIssue(file, path, lineOf(path), expected, found, hint),
  };
}
