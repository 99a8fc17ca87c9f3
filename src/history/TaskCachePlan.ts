import { resolve } from 'node:path';
import { TaskSchedulingError } from '../errors.js';
import { describeValue } from '../internal/describeValue.js';
import type { TaskRun, TaskSpec } from '../types.js';
import { runIdentityOf, type RunIdentity } from './runIdentity.js';

/**
 * How a cacheable task is keyed and what it leaves behind: its cache settings checked and
 * completed, as data (a store keeps it, so a resumed run keys its tasks as the first did).
 */
export interface TaskCachePlan {
  /** The absolute folder `inputs` and `outputs` are relative to. */
  readonly baseDir: string;
  /** Files and globs it reads; undefined when `cacheKey` stands for them. */
  readonly inputs: readonly string[] | undefined;
  /** Files and globs it writes: stored with its result, restored on a hit. */
  readonly outputs: readonly string[];
  /** Environment variables whose values are part of the key. */
  readonly envInputs: readonly string[];
  /** The key's own part the task gave (`cacheKey`), instead of its inputs' contents. */
  readonly customKey: string | undefined;
  /** What it runs: a command, a module's export (its file's content is keyed too), or a function's text. */
  readonly runs: RunIdentity | { readonly kind: 'function'; readonly source: string };
}

function fail(field: string, expected: string, value: unknown): never {
  throw new TaskSchedulingError(`${field}: expected ${expected}, received ${describeValue(value)}`, field);
}

function paths(value: unknown, field: string): readonly string[] {
  if (!Array.isArray(value)) fail(field, 'an array of paths or globs', value);
  value.forEach((item, i) => {
    if (typeof item !== 'string' || item.length === 0) fail(`${field}[${i}]`, 'a non-empty path or glob', item);
  });
  return Object.freeze([...(value as string[])]);
}

/**
 * The cache plan of a task spec, or undefined when it is not cacheable: a task is when it gives
 * `inputs` (`[]` for one that reads no file) or a `cacheKey`, and not `cache: false`. Bad fields
 * throw a TaskSchedulingError naming them.
 *
 * @example
 * toCachePlan({ inputs: ['inputs/*.txt'], run }, run, 'tasks[0]'); // { baseDir: process.cwd(), ... }
 */
export function toCachePlan(spec: TaskSpec<any>, run: TaskRun<any>, field: string): TaskCachePlan | undefined {
  if (spec.cache !== undefined && typeof spec.cache !== 'boolean') fail(`${field}.cache`, 'true or false', spec.cache);
  const inputs = spec.inputs === undefined ? undefined : paths(spec.inputs, `${field}.inputs`);
  const outputs = spec.outputs === undefined ? [] : paths(spec.outputs, `${field}.outputs`);
  const envInputs = spec.envInputs === undefined ? [] : paths(spec.envInputs, `${field}.envInputs`);
  if (spec.baseDir !== undefined && (typeof spec.baseDir !== 'string' || spec.baseDir.length === 0)) fail(`${field}.baseDir`, 'a folder path', spec.baseDir);
  let customKey: string | undefined;
  if (spec.cacheKey !== undefined) {
    let key: unknown = spec.cacheKey;
    if (typeof key === 'function') {
      try {
        key = (spec.cacheKey as (spec: TaskSpec<any>) => unknown)(spec);
      } catch (error) {
        throw new TaskSchedulingError(`${field}.cacheKey: the function threw: ${error instanceof Error ? error.message : String(error)}`, `${field}.cacheKey`);
      }
    }
    if (typeof key !== 'string') fail(`${field}.cacheKey`, 'a string, or a function of the spec returning one', key);
    customKey = key;
  }
  if (spec.cache === false || (inputs === undefined && customKey === undefined)) return undefined;
  return {
    baseDir: resolve(spec.baseDir ?? '.'),
    inputs,
    outputs,
    envInputs,
    customKey,
    runs: runIdentityOf(run) ?? { kind: 'function', source: String(run) },
  };
}
