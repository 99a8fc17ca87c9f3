import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { applyEnvOverrides, envVarName } from '../../src/config/applyEnvOverrides.js';
import { builtInResourceNames, configSchema, loadBalancingModes, policyNames, schedulerTypes, type XenoConfig } from '../../src/config/configSchema.js';
import { configJsonSchema, configJsonSchemaText } from '../../src/config/configJsonSchema.js';
import { loadConfig } from '../../src/config/loadConfig.js';
import { parseConfig } from '../../src/config/parseConfig.js';
import { priorityNames } from '../../src/config/prioritySchema.js';
import { toSchedulerOptions } from '../../src/config/toSchedulerOptions.js';
import { ConfigurationError, SchedulerError, formatConfigIssue } from '../../src/errors.js';
import { configurationIssues } from '../fixtures/config/configurationIssues.js';

const noEnv = { env: {} };

/** The reference design's values: what an empty file gives. */
const seedConfig: XenoConfig = {
  scheduler: {
    type: 'task',
    task_scheduler: { max_workers: 4, timeout: 300, retry_attempts: 3, max_interruptions: 3 },
    resource_scheduler: { cpu_cores: 4, memory_gb: 8, disk_gb: 100, network_bandwidth: 1000, custom: {} },
    dependency_scheduler: { max_dependency_depth: 10, dependency_timeout: 600 },
    priority_scheduler: {
      default_priority: 'normal',
      priority_boost: 1.2,
      policy: 'priority',
      aging_interval: 60,
      backfill: false,
      group_weights: {},
    },
    distributed_scheduler: { nodes: ['node1', 'node2', 'node3'], load_balancing: 'round_robin', failover: true, check_interval: 1, prefetch: 2 },
  },
};

describe('parseConfig', () => {
  it('fills every field with the reference design\'s value when the text is empty', () => {
    expect(parseConfig('', '<string>', noEnv)).toEqual(seedConfig);
  });

  it('keeps the given values and defaults the rest', () => {
    const config = parseConfig('scheduler:\n  task_scheduler:\n    max_workers: 16\n', '<string>', noEnv);
    expect(config.scheduler.task_scheduler).toEqual({ max_workers: 16, timeout: 300, retry_attempts: 3, max_interruptions: 3 });
    expect(config.scheduler.resource_scheduler).toEqual(seedConfig.scheduler.resource_scheduler);
  });

  it('round-trips any valid configuration written as YAML', () => {
    const name = fc.stringMatching(/^[a-z][a-z0-9_]{0,8}$/);
    const positive = fc.oneof(fc.integer({ min: 1, max: 1_000_000 }), fc.double({ min: 0.001, max: 1e6, noNaN: true }));
    const nonNegative = fc.oneof(fc.constant(0), positive);
    const section = <T extends Record<string, fc.Arbitrary<unknown>>>(fields: T) => fc.record(fields, { requiredKeys: [] });
    const configArbitrary = section({
      scheduler: section({
        type: fc.constantFrom(...schedulerTypes),
        task_scheduler: section({ max_workers: fc.integer({ min: 1, max: 512 }), timeout: nonNegative, retry_attempts: fc.integer({ min: 0, max: 20 }), max_interruptions: fc.integer({ min: 0, max: 20 }) }),
        resource_scheduler: section({
          cpu_cores: positive,
          memory_gb: positive,
          disk_gb: positive,
          network_bandwidth: positive,
          custom: fc.dictionary(name.filter((key) => !(builtInResourceNames as readonly string[]).includes(key)), positive),
        }),
        dependency_scheduler: section({ max_dependency_depth: fc.integer({ min: 1, max: 100 }), dependency_timeout: nonNegative }),
        priority_scheduler: section({
          default_priority: fc.oneof(fc.constantFrom(...priorityNames), fc.integer({ min: 1, max: 5 })),
          priority_boost: positive,
          policy: fc.constantFrom(...policyNames),
          aging_interval: nonNegative,
          backfill: fc.boolean(),
          group_weights: fc.dictionary(name, positive),
        }),
        distributed_scheduler: section({
          nodes: fc.uniqueArray(fc.stringMatching(/^[a-z][a-z0-9_.-]{0,8}$/), { minLength: 1, maxLength: 4 }),
          load_balancing: fc.constantFrom(...loadBalancingModes),
          failover: fc.boolean(),
          check_interval: positive,
          prefetch: fc.integer({ min: 1, max: 64 }),
        }),
      }),
    });
    fc.assert(
      fc.property(configArbitrary, (written) => {
        const parsed = parseConfig(stringify(written), 'property.yaml', noEnv);
        expect(parsed).toEqual(configSchema.parse(written));
        expect(parsed).toMatchObject(written);
      }),
      { numRuns: 200 },
    );
  });
});

describe('loadConfig', () => {
  it('reads the reference design\'s YAML, copied verbatim, as the defaults', () => {
    expect(loadConfig('test/fixtures/config/seed.yaml', noEnv)).toEqual(seedConfig);
  });

  it('reads config/default.yaml, which lists every default', () => {
    expect(loadConfig('config/default.yaml', noEnv)).toEqual(seedConfig);
  });

  it('reports malformed YAML with the parser\'s line', () => {
    const issues = configurationIssues(() => loadConfig('test/fixtures/config/malformed.yaml', noEnv));
    expect(issues.map(formatConfigIssue)).toEqual([
      'test/fixtures/config/malformed.yaml:4: <root>: expected valid YAML, found Flow sequence in block collection must be sufficiently indented and end with a ]',
    ]);
  });

  it('reports a file that cannot be read', () => {
    const issues = configurationIssues(() => loadConfig('test/fixtures/config/absent.yaml', noEnv));
    expect(issues.map(({ file, path, line, expected }) => ({ file, path, line, expected }))).toEqual([
      { file: 'test/fixtures/config/absent.yaml', path: '', line: undefined, expected: 'a readable file' },
    ]);
    expect(issues[0]?.found).toContain('ENOENT');
  });
});

describe('envVarName', () => {
  it('joins the upper-cased key path with double underscores after XENO_', () => {
    expect(envVarName(['scheduler', 'task_scheduler', 'max_workers'])).toBe('XENO_SCHEDULER__TASK_SCHEDULER__MAX_WORKERS');
  });
});

describe('applyEnvOverrides', () => {
  const savedEnv = { ...process.env };
  afterEach(() => {
    for (const name of Object.keys(process.env)) if (!(name in savedEnv)) delete process.env[name];
  });

  it('sets one key, parsing the value as YAML', () => {
    const env = { XENO_SCHEDULER__TASK_SCHEDULER__MAX_WORKERS: '8', XENO_SCHEDULER__PRIORITY_SCHEDULER__BACKFILL: 'true' };
    const config = parseConfig('', '<string>', { env });
    expect(config.scheduler.task_scheduler.max_workers).toBe(8);
    expect(config.scheduler.priority_scheduler.backfill).toBe(true);
  });

  it('wins over the file and leaves the file\'s other keys alone', () => {
    const text = 'scheduler:\n  task_scheduler:\n    max_workers: 2\n    timeout: 30\n';
    const config = parseConfig(text, '<string>', { env: { XENO_SCHEDULER__TASK_SCHEDULER__MAX_WORKERS: '6' } });
    expect(config.scheduler.task_scheduler).toEqual({ max_workers: 6, timeout: 30, retry_attempts: 3, max_interruptions: 3 });
  });

  it('sets lists and lower-cased map keys', () => {
    const env = {
      XENO_SCHEDULER__DISTRIBUTED_SCHEDULER__NODES: '[alpha, beta]',
      XENO_SCHEDULER__RESOURCE_SCHEDULER__CUSTOM__GPU: '2',
      XENO_SCHEDULER__PRIORITY_SCHEDULER__DEFAULT_PRIORITY: 'high',
    };
    const config = parseConfig('', '<string>', { env });
    expect(config.scheduler.distributed_scheduler.nodes).toEqual(['alpha', 'beta']);
    expect(config.scheduler.resource_scheduler.custom).toEqual({ gpu: 2 });
    expect(config.scheduler.priority_scheduler.default_priority).toBe('high');
  });

  it('ignores variables that do not start with XENO_SCHEDULER__', () => {
    expect(parseConfig('', '<string>', { env: { XENO_DASHBOARD_PORT: '8080', XENO_SCHEDULER: 'x' } })).toEqual(seedConfig);
  });

  it('reads process.env when no env is given', () => {
    process.env['XENO_SCHEDULER__TASK_SCHEDULER__RETRY_ATTEMPTS'] = '0';
    expect(parseConfig('').scheduler.task_scheduler.retry_attempts).toBe(0);
  });

  it('does not change the data it is given', () => {
    const data = { scheduler: { task_scheduler: { max_workers: 2 } } };
    applyEnvOverrides(data, { XENO_SCHEDULER__TASK_SCHEDULER__MAX_WORKERS: '9' });
    expect(data.scheduler.task_scheduler.max_workers).toBe(2);
  });

  it.each([
    {
      name: 'a value the schema refuses',
      env: { XENO_SCHEDULER__TASK_SCHEDULER__MAX_WORKERS: '-2' },
      message: 'env XENO_SCHEDULER__TASK_SCHEDULER__MAX_WORKERS: scheduler.task_scheduler.max_workers: expected a number > 0, found -2',
    },
    {
      name: 'an unknown key',
      env: { XENO_SCHEDULER__TASK_SCHEDULER__MAX_WORKER: '2' },
      message:
        'env XENO_SCHEDULER__TASK_SCHEDULER__MAX_WORKER: scheduler.task_scheduler.max_worker: expected one of the keys max_workers, timeout, retry_attempts, max_interruptions, found unknown key "max_worker" (did you mean "max_workers"?)',
    },
    {
      name: 'a key below a value that is not a mapping',
      env: { XENO_SCHEDULER__TYPE__NAME: 'x' },
      message: 'env XENO_SCHEDULER__TYPE__NAME: scheduler.type: expected one of "task", "resource", "dependency", "priority", "distributed", found a mapping',
    },
    {
      name: 'a path through a list',
      env: { XENO_SCHEDULER__DISTRIBUTED_SCHEDULER__NODES__FIRST: 'x' },
      text: 'scheduler:\n  distributed_scheduler:\n    nodes: [a]\n',
      message: 'env XENO_SCHEDULER__DISTRIBUTED_SCHEDULER__NODES__FIRST: scheduler.distributed_scheduler.nodes.first: expected a path through mappings, found scheduler.distributed_scheduler.nodes is a list of 1 item',
    },
    {
      name: 'a value that is not YAML',
      env: { XENO_SCHEDULER__DISTRIBUTED_SCHEDULER__NODES: '[a, b' },
      message: 'env XENO_SCHEDULER__DISTRIBUTED_SCHEDULER__NODES: scheduler.distributed_scheduler.nodes: expected a YAML value, found "[a, b"',
    },
    {
      name: 'an alias with no anchor (it used to crash with a ReferenceError)',
      env: { XENO_SCHEDULER__TASK_SCHEDULER__MAX_WORKERS: '*a' },
      message: 'env XENO_SCHEDULER__TASK_SCHEDULER__MAX_WORKERS: scheduler.task_scheduler.max_workers: expected a YAML value, found "*a"',
    },
  ])('reports $name under the variable\'s name', ({ env, text, message }) => {
    const issues = configurationIssues(() => parseConfig(text ?? '', 'config.yaml', { env }));
    expect(issues.map(formatConfigIssue)).toEqual([message]);
    expect(issues[0]?.line).toBeUndefined();
  });

  it('still reports the file\'s own problems with their lines', () => {
    const text = 'scheduler:\n  task_scheduler:\n    timeout: -1\n';
    const issues = configurationIssues(() => parseConfig(text, 'config.yaml', { env: { XENO_SCHEDULER__TASK_SCHEDULER__MAX_WORKERS: '0' } }));
    expect(issues.map(formatConfigIssue)).toEqual([
      'env XENO_SCHEDULER__TASK_SCHEDULER__MAX_WORKERS: scheduler.task_scheduler.max_workers: expected a number > 0, found 0',
      'config.yaml:3: scheduler.task_scheduler.timeout: expected a number ≥ 0, found -1',
    ]);
  });
});

describe('toSchedulerOptions', () => {
  it('maps the reference design\'s configuration to the API\'s units', () => {
    expect(toSchedulerOptions(seedConfig)).toEqual({
      options: {
        maxWorkers: 4,
        resources: { cpu: 4, memory: 8, disk: 100, network: 1000 },
        defaultTimeoutMs: 300_000,
        defaultRetry: { attempts: 4 },
        maxInterruptions: 3,
        maxDependencyDepth: 10,
        dependencyTimeoutMs: 600_000,
        defaultPriority: 3,
        policy: 'priority',
      },
      policyOptions: { name: 'priority', priorityBoost: 1.2, agingIntervalMs: 60_000, backfill: false, groupWeights: {} },
    });
  });

  it('adds custom resources, converts seconds, counts retries as extra runs and keeps max_interruptions apart', () => {
    const config = parseConfig(
      [
        'scheduler:',
        '  type: resource',
        '  task_scheduler: { timeout: 2.5, retry_attempts: 0, max_interruptions: 7 }',
        '  resource_scheduler: { cpu_cores: 2, custom: { gpu: 1 } }',
        '  priority_scheduler: { policy: fair-share, aging_interval: 0, backfill: true, group_weights: { proofs: 3 }, default_priority: lowest }',
      ].join('\n'),
      '<string>',
      noEnv,
    );
    const { options, policyOptions } = toSchedulerOptions(config);
    expect(options.resources).toEqual({ cpu: 2, memory: 8, disk: 100, network: 1000, gpu: 1 });
    expect(options.defaultTimeoutMs).toBe(2500);
    expect(options.defaultRetry).toEqual({ attempts: 1 });
    expect(options.maxInterruptions).toBe(7);
    expect(options.defaultPriority).toBe(1);
    expect(policyOptions).toEqual({ name: 'fair-share', priorityBoost: 1.2, agingIntervalMs: 0, backfill: true, groupWeights: { proofs: 3 } });
  });

  it('maps type: distributed to the executor options: nodes, load balancing, failover, Redis URL, seconds to ms, prefetch', () => {
    const text = [
      'scheduler:',
      '  type: distributed',
      '  distributed_scheduler:',
      '    nodes: [alpha, { name: beta, max_workers: 2, resources: { cpu: 8 } }]',
      '    load_balancing: resource_aware',
      '    failover: false',
      '    redis: redis://10.0.0.5:6379',
      '    check_interval: 0.25',
      '    prefetch: 16',
    ].join('\n');
    const { distributed, options } = toSchedulerOptions(parseConfig(text, '<string>', noEnv), {});
    expect(distributed).toEqual({
      connection: 'redis://10.0.0.5:6379',
      nodes: [{ name: 'alpha' }, { name: 'beta', maxWorkers: 2, resources: { cpu: 8 } }],
      loadBalancing: 'resource_aware',
      failover: false,
      checkIntervalMs: 250,
      prefetch: 16,
    });
    expect(options.maxWorkers).toBe(4);
  });

  it('takes the Redis URL from XENO_REDIS_URL when the file gives none, and leaves local types alone', () => {
    const distributed = parseConfig('scheduler:\n  type: distributed\n', '<string>', noEnv);
    expect(toSchedulerOptions(distributed, { XENO_REDIS_URL: 'redis://r:1' }).distributed?.connection).toBe('redis://r:1');
    expect(toSchedulerOptions(parseConfig('', '<string>', noEnv), { XENO_REDIS_URL: 'redis://r:1' }).distributed).toBeUndefined();
  });

  it('refuses type: distributed without a Redis URL with a CONFIGURATION error naming the key', () => {
    const config = parseConfig('scheduler:\n  type: distributed\n', '<string>', noEnv);
    const error = (() => {
      try {
        toSchedulerOptions(config, {});
      } catch (caught) {
        return caught;
      }
      return undefined;
    })();
    expect(error).toBeInstanceOf(ConfigurationError);
    expect((error as SchedulerError).code).toBe('CONFIGURATION');
    expect((error as Error).message).toBe(
      '<config>: scheduler.distributed_scheduler.redis: expected a Redis URL for type: distributed, found none (and no XENO_REDIS_URL variable) (set redis: redis://host:6379, or export XENO_REDIS_URL)',
    );
  });

  it('names XENO_SCHEDULER__TYPE when that variable made the run distributed', () => {
    const env = { XENO_SCHEDULER__TYPE: 'distributed' };
    expect(() => toSchedulerOptions(parseConfig('', '<string>', { env }), env)).toThrow(/^env XENO_SCHEDULER__TYPE: scheduler\.distributed_scheduler\.redis: expected a Redis URL/);
  });
});

describe('configJsonSchema', () => {
  it('matches the committed config/schema.json (run scripts/generateSchema.ts after changing the schema)', () => {
    expect(readFileSync('config/schema.json', 'utf8')).toBe(configJsonSchemaText());
  });

  it('describes strict objects with the defaults', () => {
    const schema = configJsonSchema() as {
      additionalProperties: unknown;
      properties: { scheduler: { properties: { task_scheduler: { properties: { max_workers: { default: unknown } } } } } };
    };
    expect(schema.additionalProperties).toBe(false);
    expect(schema.properties.scheduler.properties.task_scheduler.properties.max_workers.default).toBe(4);
  });
});

describe('docs/configuration.md', () => {
  const docs = readFileSync('docs/configuration.md', 'utf8').split('\n');
  const leaves = (value: unknown, path: string[]): [string[], unknown][] =>
    value !== null && typeof value === 'object' && !Array.isArray(value) && Object.keys(value).length > 0
      ? Object.entries(value).flatMap(([key, child]) => leaves(child, [...path, key]))
      : [[path, value]];

  it.each(leaves(seedConfig, []).map(([path, value]) => ({ key: path.join('.'), path, value })))(
    'documents $key with its default and environment variable',
    ({ key, path, value }) => {
      const row = docs.find((line) => line.startsWith(`| \`${key}\` |`));
      expect(row).toBeDefined();
      const shown = typeof value === 'string' ? value : JSON.stringify(value).replaceAll(',', ', ');
      expect(row).toContain(`\`${shown}\``);
      expect(row).toContain(`\`${envVarName(path)}\``);
    },
  );
});
