import { configVariableName } from '../workers/configToEnv.js';
import type { KeyPath } from './parseYamlSource.js';

/** A problem found in a workload's tasks, located by key path. */
interface TaskProblem {
  readonly path: KeyPath;
  readonly expected: string;
  readonly found: string;
  readonly hint?: string;
}

/**
 * Refuses a command task's `config` keys that the command could not tell apart: two keys that map to one
 * `XENO_CONFIG_<KEY>` variable (`a` and `A`, `A-B` and `A_B`), where one value would be lost, and a
 * key that maps to `XENO_CONFIG_JSON`, which holds the whole config.
 *
 * @example
 * checkConfigVariables(new Map([['build', { a: 1, A: 2 }]])); // one problem at tasks.build.config
 */
export function checkConfigVariables(configs: ReadonlyMap<string, Readonly<Record<string, unknown>> | undefined>): TaskProblem[] {
  const problems: TaskProblem[] = [];
  for (const [name, config] of configs) {
    const byVariable = new Map<string, string[]>();
    for (const key of Object.keys(config ?? {})) {
      const variable = configVariableName(key);
      byVariable.set(variable, [...(byVariable.get(variable) ?? []), key]);
    }
    for (const [variable, keys] of byVariable) {
      const path = ['tasks', name, 'config', keys[0] ?? ''];
      const quoted = keys.map((key) => JSON.stringify(key)).join(' and ');
      if (variable === 'XENO_CONFIG_JSON') {
        problems.push({ path, expected: 'a key other than json (XENO_CONFIG_JSON holds the whole config)', found: quoted });
      } else if (keys.length > 1) {
        problems.push({ path, expected: 'keys that each reach the command as their own variable', found: `${quoted}, all ${variable}`, hint: 'rename all but one' });
      }
    }
  }
  return problems;
}
