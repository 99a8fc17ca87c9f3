import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { configToEnv } from '../../src/workers/configToEnv.js';

describe('configToEnv', () => {
  it('names each leaf by its upper-cased path and adds the whole config as JSON', () => {
    const config = { depth: 3, prover: { name: 'z3', maxSteps: 100, 'time-limit': 2.5 }, goals: ['a', 'b'], strict: false };
    expect(configToEnv(config)).toEqual({
      XENO_CONFIG_DEPTH: '3',
      XENO_CONFIG_PROVER_NAME: 'z3',
      XENO_CONFIG_PROVER_MAX_STEPS: '100',
      XENO_CONFIG_PROVER_TIME_LIMIT: '2.5',
      XENO_CONFIG_GOALS_0: 'a',
      XENO_CONFIG_GOALS_1: 'b',
      XENO_CONFIG_STRICT: 'false',
      XENO_CONFIG_JSON: JSON.stringify(config),
    });
  });

  it('leaves out null and undefined leaves and gives "{}" for no config', () => {
    expect(configToEnv({ a: null, b: undefined })).toEqual({ XENO_CONFIG_JSON: '{"a":null}' });
    expect(configToEnv(undefined)).toEqual({ XENO_CONFIG_JSON: '{}' });
  });

  it('always yields string values with names a shell accepts, and JSON that parses back to the config', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string(), fc.jsonValue()), (config) => {
        const env = configToEnv(config);
        for (const [name, value] of Object.entries(env)) {
          expect(name).toMatch(/^XENO_CONFIG(_[A-Z0-9_]*)?$/);
          expect(typeof value).toBe('string');
        }
        expect(JSON.parse(env.XENO_CONFIG_JSON ?? '')).toEqual(JSON.parse(JSON.stringify(config)));
      }),
    );
  });
});
