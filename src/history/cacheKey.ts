import { createHash, randomUUID } from 'node:crypto';
import { closeSync, openSync, readSync } from 'node:fs';
import { isAbsolute, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { canonicalJson } from '../internal/canonicalJson.js';
import { expandPatterns } from './expandPatterns.js';
import type { TaskCachePlan } from './TaskCachePlan.js';

/**
 * What a task's cache key is made of, each part as the history keeps it (file contents and
 * variable values as hashes): kept with its entry, so that the next miss can say what changed.
 */
export interface KeyParts {
  readonly name: string;
  readonly type: string;
  /** `command <text>`, `module <path>#<export> <sha256 of the file>`, or `function <source>`. */
  readonly runs: string;
  /** Its config, as canonical JSON. */
  readonly config: string;
  /** Each input file's SHA-256 by path (null: it does not exist); null when `cacheKey` stands for the inputs. */
  readonly inputs: Readonly<Record<string, string | null>> | null;
  /** The `cacheKey` the task gave, if any. */
  readonly customKey: string | null;
  /** Each `env_inputs` variable's SHA-256 (null: not set). */
  readonly env: Readonly<Record<string, string | null>>;
  /** The declared outputs (a change of what is stored is a change of the entry). */
  readonly outputs: readonly string[];
  /** Each dependency's key by id. */
  readonly dependencies: Readonly<Record<string, string>>;
}

/** What {@link keyPartsOf} needs of a task. */
export interface CacheableTask {
  readonly id: string;
  readonly name: string;
  readonly type: string;
  readonly config: unknown;
  readonly cache: TaskCachePlan;
}

const CHUNK = 1 << 20;
let chunk: Buffer | undefined;

/** SHA-256 of a file's content (read in 1 MiB chunks), or null when there is no such file. */
export function hashFile(path: string): string | null {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR' || code === 'EISDIR') return null;
    throw error;
  }
  try {
    const hash = createHash('sha256');
    chunk ??= Buffer.allocUnsafe(CHUNK);
    for (;;) {
      const read = readSync(fd, chunk, 0, CHUNK, null);
      if (read === 0) break;
      hash.update(chunk.subarray(0, read));
    }
    return hash.digest('hex');
  } finally {
    closeSync(fd);
  }
}

const sha = (text: string): string => createHash('sha256').update(text).digest('hex');

function modulePath(module: string): string {
  return module.startsWith('file:') ? fileURLToPath(module) : resolve(module);
}

/** A path as keyed: relative to the task's base folder when it is inside it, so a moved checkout keys alike. */
function keyedPath(base: string, path: string): string {
  const inside = relative(base, path);
  return inside.startsWith('..') || isAbsolute(inside) ? path : inside.split('\\').join('/');
}

function describeRuns(plan: TaskCachePlan): string {
  const { runs } = plan;
  if (runs.kind === 'command') return `command ${runs.command}`;
  if (runs.kind === 'function') return `function ${runs.source}`;
  const path = modulePath(runs.module);
  return `module ${keyedPath(plan.baseDir, path)}#${runs.export} ${hashFile(path) ?? 'missing'}`;
}

/**
 * A ready task's key parts: its inputs are read now (where this process runs), and its
 * dependencies' keys are given (each dependency has completed).
 *
 * @example
 * const parts = keyPartsOf(task, { parse: '4f1c…' }, process.env);
 */
export function keyPartsOf(task: CacheableTask, dependencies: Readonly<Record<string, string>>, env: NodeJS.ProcessEnv): KeyParts {
  const plan = task.cache;
  let inputs: Record<string, string | null> | null = null;
  if (plan.inputs !== undefined) {
    inputs = {};
    for (const path of expandPatterns(plan.baseDir, plan.inputs)) inputs[path] = hashFile(resolve(plan.baseDir, path));
  }
  const variables: Record<string, string | null> = {};
  for (const name of plan.envInputs) {
    const value = env[name];
    variables[name] = value === undefined ? null : sha(value);
  }
  return {
    name: task.name,
    type: task.type,
    runs: describeRuns(plan),
    config: canonicalJson(task.config),
    inputs,
    customKey: plan.customKey ?? null,
    env: variables,
    outputs: plan.outputs,
    dependencies,
  };
}

/** The cache key of a task with these parts: SHA-256 of their canonical JSON, hex. */
export function keyOf(parts: KeyParts): string {
  return sha(canonicalJson(parts));
}

function changedEntries(label: string, gone: string, before: Readonly<Record<string, string | null>>, now: Readonly<Record<string, string | null>>): string | undefined {
  const changes: string[] = [];
  for (const [name, value] of Object.entries(now)) {
    if (!(name in before)) changes.push(value === null ? `${label}${name} missing` : `${label}${name} added`);
    else if (before[name] !== value) changes.push(value === null ? `${label}${name} removed` : before[name] === null ? `${label}${name} added` : `${label}${name} changed`);
  }
  for (const name of Object.keys(before)) if (!(name in now)) changes.push(`${label}${name} ${gone}`);
  if (changes.length === 0) return undefined;
  return changes.length <= 3 ? changes.join(', ') : `${changes.slice(0, 3).join(', ')} and ${changes.length - 3} more`;
}

/**
 * Why a task whose key has no entry runs: what changed since the last entry stored for a task of
 * its name (`inputs/c1.txt changed`, `command changed`, `dependency "parse" changed`), or `no
 * entry` when the history has none for it.
 *
 * @example
 * whyRan(previous, parts); // 'inputs/c1.txt changed'
 */
export function whyRan(previous: KeyParts | undefined, parts: KeyParts): string {
  if (previous === undefined) return 'no entry';
  const runsKind = (runs: string): string => runs.slice(0, runs.indexOf(' '));
  if (previous.type !== parts.type) return `type changed (was "${previous.type}")`;
  if (previous.runs !== parts.runs) {
    const kind = runsKind(parts.runs);
    return runsKind(previous.runs) === kind ? `${kind} changed` : `now runs a ${kind} (was a ${runsKind(previous.runs)})`;
  }
  if (previous.config !== parts.config) return 'config changed';
  if (previous.customKey !== parts.customKey) return 'cacheKey changed';
  const inputs = changedEntries('', 'no longer an input', previous.inputs ?? {}, parts.inputs ?? {});
  if (inputs !== undefined) return inputs;
  const env = changedEntries('$', 'no longer in env_inputs', previous.env, parts.env);
  if (env !== undefined) return env;
  if (canonicalJson(previous.outputs) !== canonicalJson(parts.outputs)) return 'outputs changed';
  const dependencies = Object.keys(parts.dependencies).filter((id) => previous.dependencies[id] !== parts.dependencies[id]);
  if (dependencies.length > 0) return `${dependencies.length === 1 ? 'dependency' : 'dependencies'} ${dependencies.map((id) => `"${id}"`).join(', ')} changed`;
  if (Object.keys(previous.dependencies).length !== Object.keys(parts.dependencies).length) return 'dependencies changed';
  return 'no entry';
}

/**
 * A dependency's part of its dependents' keys: its cache key when it has one, else (a task that
 * is not cacheable, which ran) the hash of its result: the same result keys its dependents alike.
 *
 * @example
 * dependencyKeyOf(undefined, { exitCode: 0, stdout: 'ok' }); // 'result 5d1e…'
 */
export function dependencyKeyOf(cacheKey: string | undefined, result: unknown): string {
  if (cacheKey !== undefined) return cacheKey;
  try {
    return `result ${sha(canonicalJson(result === undefined ? null : result))}`;
  } catch {
    // A result JSON cannot hold (a cycle, a BigInt) keys nothing alike: its dependents run.
    return `result unkeyable ${randomUUID()}`;
  }
}
