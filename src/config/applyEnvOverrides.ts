import { parseDocument } from 'yaml';
import type { ConfigIssue } from '../errors.js';
import { describeYamlValue } from './describeYamlValue.js';
import { configIssue, formatKeyPath, type KeyPath } from './parseYamlSource.js';
import { isMapping } from './isMapping.js';

/** Environment variables whose names start with this override configuration keys. */
export const envOverridePrefix = 'XENO_SCHEDULER__';

/** The environment, as `process.env` has it. */
export type Environment = Readonly<Record<string, string | undefined>>;

/**
 * The environment variable that overrides the key at `path`: `XENO_`, then the path's keys in
 * upper case joined by double underscores.
 *
 * @example
 * ```ts
 * envVarName(['scheduler', 'task_scheduler', 'max_workers']); // 'XENO_SCHEDULER__TASK_SCHEDULER__MAX_WORKERS'
 * ```
 */
export function envVarName(path: KeyPath): string {
  return `XENO_${path.map((segment) => String(segment).toUpperCase()).join('__')}`;
}

/** Configuration data with the environment's overrides applied. */
export interface EnvOverrides {
  /** A copy of the data with each overridden key replaced. */
  readonly data: unknown;
  /** Problems with the variables themselves (YAML that does not parse, a path through a non-mapping). */
  readonly issues: readonly ConfigIssue[];
  /** The variable that set the value at `path`, at one of its ancestors, or below it, if any. */
  sourceOf(path: KeyPath): string | undefined;
}

const INVALID = Symbol('invalid');

/** A variable's value as YAML, or INVALID when it does not parse (an alias, with no anchor to point to, included). */
function parseValue(text: string): unknown {
  const parsed = parseDocument(text);
  if (parsed.errors.length > 0) return INVALID;
  try {
    return parsed.toJS({ maxAliasCount: 100 });
  } catch {
    return INVALID;
  }
}


/**
 * Applies `XENO_SCHEDULER__…` environment variables to configuration data. A variable's name is the
 * key path in upper case with `__` between keys (`XENO_SCHEDULER__TASK_SCHEDULER__MAX_WORKERS=8`
 * sets `scheduler.task_scheduler.max_workers`); keys are matched in lower case, so a `custom`
 * resource or group name must be lower case to be overridden. Values are parsed as YAML, so `8` is a
 * number, `true` a boolean and `[a, b]` a list. The result is validated like the file, and a bad
 * value is reported under the variable's name.
 *
 * @example
 * ```ts
 * const { data } = applyEnvOverrides({}, { XENO_SCHEDULER__TASK_SCHEDULER__MAX_WORKERS: '8' });
 * // data: { scheduler: { task_scheduler: { max_workers: 8 } } }
 * ```
 */
export function applyEnvOverrides(data: unknown, env: Environment): EnvOverrides {
  const root: unknown = structuredClone(data ?? {});
  const sources = new Map<string, string>();
  const issues: ConfigIssue[] = [];
  const names = Object.keys(env).filter((name) => name.startsWith(envOverridePrefix)).sort();
  for (const name of isMapping(root) ? names : []) {
    const text = env[name] ?? '';
    const path = name.slice('XENO_'.length).split('__').map((segment) => segment.toLowerCase());
    const file = `env ${name}`;
    const value = parseValue(text);
    if (value === INVALID) {
      issues.push(configIssue(file, path, undefined, 'a YAML value', JSON.stringify(text), undefined));
      continue;
    }
    let parent = root as Record<string, unknown>;
    let blocked = false;
    for (const [index, key] of path.slice(0, -1).entries()) {
      const child = parent[key] ?? {};
      if (!isMapping(child)) {
        const at = path.slice(0, index + 1);
        issues.push(configIssue(file, path, undefined, `a path through mappings`, `${formatKeyPath(at)} is ${describeYamlValue(child)}`, undefined));
        blocked = true;
        break;
      }
      parent[key] = child;
      parent = child;
    }
    if (blocked) continue;
    parent[path[path.length - 1] ?? ''] = value;
    sources.set(formatKeyPath(path), name);
  }
  // An override may also create the sections above its key, so an issue on one of those is its own.
  const sourceOf = (path: KeyPath): string | undefined => {
    const issuePath = formatKeyPath(path);
    for (const [overridden, name] of sources) {
      if (issuePath === overridden || issuePath.startsWith(`${overridden}.`) || overridden.startsWith(`${issuePath}.`)) return name;
    }
    return undefined;
  };
  return { data: isMapping(root) ? root : data, issues, sourceOf };
}
