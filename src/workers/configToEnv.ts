/**
 * Flattens a task's config into environment variables for a command: each leaf becomes
 * `XENO_CONFIG_<PATH>` (keys upper-cased, camelCase split with `_`, array items by index), and
 * `XENO_CONFIG_JSON` holds the whole object. `null` and `undefined` leaves are left out; the
 * JSON wins over a config key that would also be named `JSON`.
 *
 * @example
 * ```ts
 * configToEnv({ depth: 3, prover: { name: 'z3', maxSteps: 100 }, goals: ['a', 'b'] });
 * // {
 * //   XENO_CONFIG_DEPTH: '3', XENO_CONFIG_PROVER_NAME: 'z3', XENO_CONFIG_PROVER_MAX_STEPS: '100',
 * //   XENO_CONFIG_GOALS_0: 'a', XENO_CONFIG_GOALS_1: 'b',
 * //   XENO_CONFIG_JSON: '{"depth":3,"prover":{"name":"z3","maxSteps":100},"goals":["a","b"]}'
 * // }
 * ```
 */
export function configToEnv(config: unknown): Record<string, string> {
  const env: Record<string, string> = {};
  addLeaves(env, 'XENO_CONFIG', config);
  env.XENO_CONFIG_JSON = JSON.stringify(config ?? {});
  return env;
}

function addLeaves(env: Record<string, string>, name: string, value: unknown): void {
  if (value === null || value === undefined) return;
  if (typeof value !== 'object') {
    env[name] = String(value);
    return;
  }
  const entries = Array.isArray(value) ? value.map((item, index) => [String(index), item] as const) : Object.entries(value);
  for (const [key, item] of entries) addLeaves(env, `${name}_${toEnvName(key)}`, item);
}

/**
 * The environment variable a top-level config key reaches a command as, e.g. `proverName` →
 * `XENO_CONFIG_PROVER_NAME`; two keys can meet in one name (`a` and `A`).
 */
export function configVariableName(key: string): string {
  return `XENO_CONFIG_${toEnvName(key)}`;
}

function toEnvName(key: string): string {
  return key
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .replace(/[^A-Za-z0-9]+/g, '_')
    .toUpperCase();
}
