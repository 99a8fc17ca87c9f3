import { exec } from 'node:child_process';
import { resolve } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/loadConfig.js';
import { loadWorkload } from '../../src/config/loadWorkload.js';
import { parseConfig } from '../../src/config/parseConfig.js';
import { parseWorkload } from '../../src/config/parseWorkload.js';
import { formatConfigIssue } from '../../src/errors.js';
import { configurationIssues } from '../fixtures/config/configurationIssues.js';

const noEnv = { env: {} };
const fixtures = 'test/fixtures/config';

describe('loadWorkload', () => {
  it('loads the proof pipeline: lemmas on lemmas, a capability check and data processing, all Node one-liners', () => {
    const { config, tasks } = loadWorkload('config/examples/proof-pipeline.yaml', noEnv);
    expect(tasks.length).toBeGreaterThanOrEqual(12);
    expect(tasks.length).toBeLessThanOrEqual(20);
    expect(new Set(tasks.map((task) => task.type))).toEqual(new Set(['proof_verification', 'capability_check', 'data_processing']));
    expect(new Set(tasks.map((task) => task.priority)).size).toBeGreaterThanOrEqual(3);
    const lemmas = new Set(tasks.filter((task) => task.type === 'proof_verification').map((task) => task.name));
    expect(tasks.some((task) => lemmas.has(task.name) && task.dependencies.some((dependency) => lemmas.has(dependency)))).toBe(true);
    for (const task of tasks) {
      expect(task.run?.kind).toBe('command');
      expect(task.run?.kind === 'command' && task.run.command).toMatch(/^node -e "setTimeout\(\(\) => console\.log\('.+'\), (\d+)\)"$/);
      expect(Object.keys(task.resources)).toEqual(['cpu', 'memory']);
    }
    expect(config.scheduler.resource_scheduler.cpu_cores).toBe(2);
  });

  it('runs every proof-pipeline command with nothing but Node, each printing its verdict', async () => {
    const { tasks } = loadWorkload('config/examples/proof-pipeline.yaml', noEnv);
    const run = promisify(exec);
    const outputs = await Promise.all(tasks.map((task) => run(task.run?.kind === 'command' ? task.run.command : 'false')));
    for (const [index, { stdout }] of outputs.entries()) {
      const task = tasks[index];
      expect(stdout).toMatch(task?.type === 'proof_verification' ? /verified\n$/ : /\S\n$/);
    }
  });

  it('loads the fan-out / fan-in data-processing flow with its custom pool and groups', () => {
    const { config, tasks } = loadWorkload('config/examples/data-processing.yaml', noEnv);
    const join = tasks.find((task) => task.name === 'join_sales');
    expect(join?.dependencies).toHaveLength(4);
    expect(tasks.filter((task) => task.dependencies.includes('join_sales'))).toHaveLength(2);
    expect(config.scheduler.resource_scheduler.custom).toEqual({ db_connections: 2 });
    expect(tasks.find((task) => task.name === 'extract_orders')?.config).toEqual({ TABLE: 'orders' });
    expect(tasks.every((task) => task.run?.kind === 'command')).toBe(true);
  });

  it('loads the simulation DAG: estimates and durations, nothing to run', () => {
    const { tasks } = loadWorkload('config/examples/simulation-dag.yaml', noEnv);
    expect(tasks.every((task) => task.run === undefined && task.estimateMs !== undefined && task.duration !== undefined)).toBe(true);
    expect(new Set(tasks.map((task) => task.duration?.distribution))).toEqual(new Set(['fixed', 'uniform', 'normal', 'exponential']));
    expect(tasks.find((task) => task.name === 'tokenize')?.duration).toEqual({ distribution: 'normal', meanMs: 60_000, stddevMs: 10_000 });
  });

  it('reads a configuration file named relative to the workload and applies its defaults to the tasks', () => {
    const workload = loadWorkload(`${fixtures}/workload-with-config-file.yaml`, noEnv);
    expect(workload.file).toBe(`${fixtures}/workload-with-config-file.yaml`);
    expect(workload.config).toEqual(loadConfig(`${fixtures}/small-pool.yaml`, noEnv));
    // timeout 12.5 s from the file; retry_attempts, max_interruptions and everything else from the defaults
    const defaults = { timeoutMs: 12_500, retries: 3, maxInterruptions: 3, estimateMs: undefined, duration: undefined, group: undefined, config: {} };
    expect(workload.tasks).toEqual([
      {
        ...defaults,
        name: 'prepare',
        type: 'data_processing',
        priority: 2,
        dependencies: [],
        resources: { cpu: 1, gpu: 1 },
        run: { kind: 'module', module: resolve(fixtures, 'tasks/prepare.js'), export: 'prepare', worker: false },
      },
      {
        ...defaults,
        name: 'verify',
        type: 'generic',
        priority: 5,
        dependencies: ['prepare'],
        resources: {},
        run: { kind: 'module', module: resolve(fixtures, 'tasks/verify.js'), export: 'verify', worker: true },
      },
    ]);
  });

  it('uses configOverride instead of the workload\'s configuration, without reading it', () => {
    const configOverride = parseConfig('scheduler:\n  task_scheduler:\n    max_workers: 7\n', '<string>', noEnv);
    const workload = loadWorkload(`${fixtures}/workload-with-bad-config-file.yaml`, { configOverride });
    expect(workload.config).toBe(configOverride);
  });

  it('checks resources against the override\'s pool', () => {
    const configOverride = parseConfig('scheduler:\n  resource_scheduler:\n    cpu_cores: 1\n', '<string>', noEnv);
    const issues = configurationIssues(() => loadWorkload('config/examples/proof-pipeline.yaml', { configOverride }));
    expect(issues.map((issue) => issue.path)).toEqual(['tasks.theorem_am_gm.resources.cpu']);
  });

  it('reports a problem in the configuration file it names, with that file\'s line', () => {
    const issues = configurationIssues(() => loadWorkload(`${fixtures}/workload-with-bad-config-file.yaml`, noEnv));
    expect(issues.map(formatConfigIssue)).toEqual([
      `${resolve(fixtures, 'bad-config.yaml')}:4: scheduler.task_scheduler.max_workers: expected a number, found "many"`,
    ]);
  });

  it('reports a configuration path that does not exist at the workload\'s config key', () => {
    const issues = configurationIssues(() => parseWorkload('tasks:\n  a: {}\nconfig: ./nowhere.yaml\n', `${fixtures}/inline.yaml`, noEnv));
    expect(issues.map(({ file, path, line, expected, found }) => ({ file, path, line, expected, found }))).toEqual([
      { file: `${fixtures}/inline.yaml`, path: 'config', line: 3, expected: 'the path of a readable configuration file', found: '"./nowhere.yaml"' },
    ]);
    expect(issues[0]?.hint).toContain('ENOENT');
  });

  it('never rounds a positive timeout, estimate or duration to 0 ms (a timeout of 0 means none)', () => {
    const text = ['tasks:', '  a: {command: "true", timeout: 0.0004, estimate: 0.0001, duration: 0.0002}', '  b: {command: "true", timeout: 0}'].join('\n');
    const [a, b] = parseWorkload(text, 'workload.yaml', { env: {} }).tasks;
    expect([a?.timeoutMs, a?.estimateMs, a?.duration]).toEqual([1, 1, { distribution: 'fixed', valueMs: 1 }]);
    expect(b?.timeoutMs).toBe(0);
  });

  it('reports task names given twice, with the line of the second', () => {
    const issues = configurationIssues(() => loadWorkload(`${fixtures}/duplicate-tasks.yaml`, noEnv));
    expect(issues.map(formatConfigIssue)).toEqual([
      `${fixtures}/duplicate-tasks.yaml:7: tasks.lemma_a: expected each key once, found "lemma_a" again (first at line 2) (rename or merge the two entries)`,
    ]);
  });

  it('takes a task\'s max_interruptions over task_scheduler.max_interruptions, apart from its retries', () => {
    const text = 'config:\n  scheduler:\n    task_scheduler: { max_interruptions: 5, retry_attempts: 0 }\ntasks:\n  a: { command: "true" }\n  b: { command: "true", max_interruptions: 0 }\n';
    const workload = parseWorkload(text, '<string>', noEnv);
    expect(workload.tasks.map((task) => [task.name, task.retries, task.maxInterruptions])).toEqual([['a', 0, 5], ['b', 0, 0]]);
  });

  it('applies environment overrides to the workload\'s own configuration', () => {
    const workload = loadWorkload('config/examples/data-processing.yaml', { env: { XENO_SCHEDULER__TASK_SCHEDULER__MAX_WORKERS: '1' } });
    expect(workload.config.scheduler.task_scheduler.max_workers).toBe(1);
  });

  it('uses the default configuration when the workload has none', () => {
    const workload = parseWorkload('tasks:\n  a:\n    estimate: 1.5\n    duration: { distribution: uniform, min: 1, max: 2 }\n', '<string>', noEnv);
    expect(workload.config).toEqual(parseConfig('', '<string>', noEnv));
    expect(workload.tasks[0]).toMatchObject({
      priority: 3,
      timeoutMs: 300_000,
      retries: 3,
      maxInterruptions: 3,
      estimateMs: 1500,
      duration: { distribution: 'uniform', minMs: 1000, maxMs: 2000 },
      run: undefined,
    });
  });

  it('reports a workload file that cannot be read', () => {
    const issues = configurationIssues(() => loadWorkload(`${fixtures}/absent.yaml`, noEnv));
    expect(issues.map((issue) => [issue.file, issue.expected])).toEqual([[`${fixtures}/absent.yaml`, 'a readable file']]);
  });
});
