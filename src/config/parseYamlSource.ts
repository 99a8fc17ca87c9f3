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

/** Deeper than any file of ours needs (a configuration is 5 levels deep); it keeps every later step off the stack's limit. */
export const MAX_YAML_DEPTH = 100;

const TOO_DEEP = { expected: `YAML nested at most ${MAX_YAML_DEPTH} levels deep`, found: 'deeper nesting' } as const;

/** The tags plain data keeps; any other (`!foo`, `!!binary`, `!!set`) would become text or an object no check expects. */
const PLAIN_TAGS = new Set(['str', 'int', 'float', 'bool', 'null', 'map', 'seq'].map((name) => `tag:yaml.org,2002:${name}`));

/** An integer literal as YAML 1.2's core schema reads one. */
const INTEGER_LITERAL = /^[-+]?(?:[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+)$/;

/** What is wrong with a value node that plain data would keep wrongly, or undefined. */
function badValue(node: unknown): { expected: string; found: string } | undefined {
  if (!isNode(node)) return undefined;
  if (node.tag !== undefined && !PLAIN_TAGS.has(node.tag)) {
    return { expected: 'a plain value (no YAML tag)', found: `the tag ${node.tag.replace(/^tag:yaml\.org,2002:/, '!!')}` };
  }
  if (isScalar(node) && typeof node.value === 'number' && !Number.isSafeInteger(node.value) && INTEGER_LITERAL.test(node.source ?? '')) {
    return { expected: `an integer of at most ${Number.MAX_SAFE_INTEGER} in size (2^53 - 1)`, found: `${node.source} (it would be rounded to ${node.value})` };
  }
  return undefined;
}

/**
 * Every node of the document, depth first in file order, with its key path and depth; without
 * recursion, so that no nesting can exhaust the stack. The children of a repeated or bad key are
 * not visited (their key path would be wrong).
 */
function* walk(doc: Document): Generator<{ node: unknown; path: KeyPath }> {
  const stack: { node: unknown; path: KeyPath }[] = [{ node: doc.contents, path: [] }];
  for (let next = stack.pop(); next !== undefined; next = stack.pop()) {
    yield next;
    const { node, path } = next;
    const children: { node: unknown; path: KeyPath }[] = [];
    if (isMap(node)) {
      const seen = new Set<string>();
      for (const pair of node.items) {
        const key = keyText(pair.key);
        if (badKey(pair.key) !== undefined || key === undefined || seen.has(key)) continue;
        seen.add(key);
        children.push({ node: pair.value, path: [...path, key] });
      }
    } else if (isSeq(node)) {
      node.items.forEach((item, index) => children.push({ node: item, path: [...path, index] }));
    }
    for (let i = children.length - 1; i >= 0; i--) stack.push(children[i] as { node: unknown; path: KeyPath });
  }
}

/**
 * The issues of a parsed document that plain data would hide: a mapping key that would not
 * survive as a key (empty or null, `__proto__`, a list or mapping), a repeated key (yaml's own
 * check is quadratic, so it is off and this one counts), a YAML tag, an integer beyond 2^53, and
 * nesting deeper than {@link MAX_YAML_DEPTH} (then only that). Linear in the document's size.
 */
function documentIssues(doc: Document, lines: LineCounter, file: string): ConfigIssue[] {
  const lineAt = (node: unknown): number | undefined => {
    const start = startOf(node);
    return start === undefined ? undefined : lines.linePos(start).line;
  };
  const badKeys: ConfigIssue[] = [];
  const repeated: ConfigIssue[] = [];
  const values: ConfigIssue[] = [];
  for (const { node, path } of walk(doc)) {
    if (path.length > MAX_YAML_DEPTH) return [configIssue(file, path.slice(0, MAX_YAML_DEPTH), lineAt(node), TOO_DEEP.expected, TOO_DEEP.found, undefined)];
    const value = badValue(node);
    if (value !== undefined) values.push(configIssue(file, path, lineAt(node), value.expected, value.found, undefined));
    if (!isMap(node)) continue;
    const firstLines = new Map<string, number | undefined>();
    for (const pair of node.items) {
      const found = badKey(pair.key);
      if (found !== undefined) {
        badKeys.push(configIssue(file, path, lineAt(pair.key) ?? lineAt(pair.value), 'a key of non-empty text, not __proto__', found, undefined));
        continue;
      }
      const key = keyText(pair.key) as string;
      const line = lineAt(pair.key);
      if (firstLines.has(key)) {
        repeated.push(configIssue(file, [...path, key], line, 'each key once', `"${key}" again (first at line ${firstLines.get(key)})`, 'rename or merge the two entries'));
      } else {
        firstLines.set(key, line);
      }
    }
  }
  return [...badKeys, ...repeated, ...values];
}

/** The parser's message, in our words where the parser's talk to a programmer. */
function syntaxProblem(error: { code: string; message: string }): { expected: string; found: string } {
  if (error.code === 'MULTIPLE_DOCS') return { expected: 'one YAML document', found: 'more than one (a "---" line starts another)' };
  if (error.message.includes('Maximum call stack size exceeded')) return TOO_DEEP;
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
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: false });
  const syntaxErrors = doc.errors.filter((error) => error.code !== 'DUPLICATE_KEY');
  if (syntaxErrors.length > 0) {
    const issues = syntaxErrors.map((error) => {
      const { expected, found } = syntaxProblem(error);
      return configIssue(file, [], error.linePos?.[0].line ?? lines.linePos(error.pos[0]).line, expected, found, undefined);
    });
    // A parser that ran out of stack says so once per level it unwound: one issue per line is enough.
    const seen = new Set<string>();
    throw new ConfigurationError(issues.filter((issue) => !seen.has(`${issue.line}:${issue.found}`) && seen.add(`${issue.line}:${issue.found}`)));
  }
  const issues = documentIssues(doc, lines, file);
  if (issues.length > 0) throw new ConfigurationError(issues);
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
