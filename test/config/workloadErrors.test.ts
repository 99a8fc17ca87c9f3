import { describe, expect, it } from 'vitest';
import { checkDependencies } from '../../src/config/checkDependencies.js';
import { parseWorkload } from '../../src/config/parseWorkload.js';
import { issueRows, type BadFile } from '../fixtures/config/configurationIssues.js';

const badWorkloads: readonly BadFile[] = [
  {
    name: 'no tasks key',
    yaml: ['config: {}'],
    issues: [
      ['tasks', 1, 'workload.yaml:1: tasks: expected a mapping, found nothing'],
    ],
  },
  {
    name: 'empty tasks',
    yaml: ['tasks: {}'],
    issues: [
      ['tasks', 1, 'workload.yaml:1: tasks: expected at least one task, found an empty mapping'],
    ],
  },
  {
    name: 'misspelt tasks key',
    yaml: ['task:', '  a:', '    command: "true"'],
    issues: [
      ['task', 1, 'workload.yaml:1: task: expected one of the keys config, tasks, found unknown key "task" (did you mean "tasks"?)'],
    ],
  },
  {
    name: 'misspelt task field',
    yaml: ['tasks:', '  a:', '    command: "true"', '  b:', '    dependecies: [a]', '    command: "true"'],
    issues: [
      ['tasks.b.dependecies', 5, 'workload.yaml:5: tasks.b.dependecies: expected one of the keys type, priority, dependencies, resources, timeout, retries, max_interruptions, estimate, memory_limit, duration, group, idempotent, config, command, module, export, worker, inputs, outputs, env_inputs, cache, race, found unknown key "dependecies" (did you mean "dependencies"?)'],
    ],
  },
  {
    name: 'unknown dependency',
    yaml: ['tasks:', '  lemma_a:', '    command: "true"', '  lemma_b:', '    dependencies: [lema_a]', '    command: "true"'],
    issues: [
      ['tasks.lemma_b.dependencies.0', 5, 'workload.yaml:5: tasks.lemma_b.dependencies.0: expected the name of a task in this workload, found "lema_a" (did you mean "lemma_a"?)'],
    ],
  },
  {
    name: 'two-task cycle',
    yaml: ['tasks:', '  a:', '    dependencies: [b]', '  b:', '    dependencies: [a]'],
    issues: [
      ['tasks.b.dependencies.0', 5, 'workload.yaml:5: tasks.b.dependencies.0: expected dependencies that never lead back to the task, found the cycle a → b → a'],
    ],
  },
  {
    name: 'self dependency',
    yaml: ['tasks:', '  a:', '    dependencies: [a]'],
    issues: [
      ['tasks.a.dependencies.0', 3, 'workload.yaml:3: tasks.a.dependencies.0: expected dependencies that never lead back to the task, found the cycle a → a'],
    ],
  },
  {
    name: 'three-task cycle',
    yaml: ['tasks:', '  a:', '    dependencies: [c]', '  b:', '    dependencies: [a]', '  c:', '    dependencies: [b]'],
    issues: [
      ['tasks.b.dependencies.0', 5, 'workload.yaml:5: tasks.b.dependencies.0: expected dependencies that never lead back to the task, found the cycle a → c → b → a'],
    ],
  },
  {
    name: 'dependency listed twice',
    yaml: ['tasks:', '  a: {}', '  b:', '    dependencies: [a, a]'],
    issues: [
      ['tasks.b.dependencies.1', 4, 'workload.yaml:4: tasks.b.dependencies.1: expected each dependency once, found "a" again'],
    ],
  },
  {
    name: 'dependencies as a string',
    yaml: ['tasks:', '  a: {}', '  b:', '    dependencies: a'],
    issues: [
      ['tasks.b.dependencies', 4, 'workload.yaml:4: tasks.b.dependencies: expected a list, found "a"'],
    ],
  },
  {
    name: 'duplicate task names',
    yaml: ['tasks:', '  a:', '    command: "true"', '  b: {}', '  a:', '    command: "false"'],
    issues: [
      ['tasks.a', 5, 'workload.yaml:5: tasks.a: expected each key once, found "a" again (first at line 2) (rename or merge the two entries)'],
    ],
  },
  {
    name: 'command and module',
    yaml: ['tasks:', '  a:', '    command: "true"', '    module: ./a.js', '    export: run'],
    issues: [
      ['tasks.a.command', 3, 'workload.yaml:3: tasks.a.command: expected either command or module + export, not both, found command and module + export'],
    ],
  },
  {
    name: 'module without export',
    yaml: ['tasks:', '  a:', '    module: ./a.js'],
    issues: [
      ['tasks.a.export', 2, 'workload.yaml:2: tasks.a.export: expected the name of the export to run from module "./a.js", found nothing'],
    ],
  },
  {
    name: 'export without module',
    yaml: ['tasks:', '  a:', '    export: run'],
    issues: [
      ['tasks.a.module', 2, 'workload.yaml:2: tasks.a.module: expected a module to take export "run" from, found nothing'],
    ],
  },
  {
    name: 'worker without module',
    yaml: ['tasks:', '  a:', '    command: "true"', '    worker: true'],
    issues: [
      ['tasks.a.worker', 4, 'workload.yaml:4: tasks.a.worker: expected worker only beside module + export (a command runs in its own process), found worker: true'],
    ],
  },
  {
    name: 'empty command',
    yaml: ['tasks:', '  a:', '    command: ""'],
    issues: [
      ['tasks.a.command', 3, 'workload.yaml:3: tasks.a.command: expected a non-empty string, found ""'],
    ],
  },
  {
    name: 'task as a string',
    yaml: ['tasks:', '  a: echo hi'],
    issues: [
      ['tasks.a', 2, 'workload.yaml:2: tasks.a: expected a mapping, found "echo hi"'],
    ],
  },
  {
    name: 'unknown priority',
    yaml: ['tasks:', '  a:', '    priority: urgent'],
    issues: [
      ['tasks.a.priority', 3, 'workload.yaml:3: tasks.a.priority: expected a priority name (lowest, low, normal, high, highest) or a whole number from 1 to 5, found "urgent"'],
    ],
  },
  {
    name: 'priority zero',
    yaml: ['tasks:', '  a:', '    priority: 0'],
    issues: [
      ['tasks.a.priority', 3, 'workload.yaml:3: tasks.a.priority: expected a number ≥ 1, found 0'],
    ],
  },
  {
    name: 'more cpu than the pool',
    yaml: ['tasks:', '  big:', '    resources: { cpu: 8, memory: 1 }'],
    issues: [
      ['tasks.big.resources.cpu', 3, 'workload.yaml:3: tasks.big.resources.cpu: expected at most 4 (the cpu pool\'s capacity), found 8 (task "big" requests 8 cpu but the pool holds 4)'],
    ],
  },
  {
    name: 'misspelt resource',
    yaml: ['tasks:', '  a:', '    resources:', '      cpus: 1'],
    issues: [
      ['tasks.a.resources.cpus', 4, 'workload.yaml:4: tasks.a.resources.cpus: expected a resource of the pool (cpu, memory, disk, network), found "cpus" (did you mean "cpu"?)'],
    ],
  },
  {
    name: 'custom resource over capacity',
    yaml: ['config:', '  scheduler:', '    resource_scheduler:', '      custom: { gpu: 1 }', 'tasks:', '  train:', '    resources: { gpu: 2 }'],
    issues: [
      ['tasks.train.resources.gpu', 7, 'workload.yaml:7: tasks.train.resources.gpu: expected at most 1 (the gpu pool\'s capacity), found 2 (task "train" requests 2 gpu but the pool holds 1)'],
    ],
  },
  {
    name: 'negative resource',
    yaml: ['tasks:', '  a:', '    resources: { cpu: -1 }'],
    issues: [
      ['tasks.a.resources.cpu', 3, 'workload.yaml:3: tasks.a.resources.cpu: expected a number > 0, found -1'],
    ],
  },
  {
    name: 'negative timeout',
    yaml: ['tasks:', '  a:', '    timeout: -1'],
    issues: [
      ['tasks.a.timeout', 3, 'workload.yaml:3: tasks.a.timeout: expected a number ≥ 0, found -1'],
    ],
  },
  {
    name: 'fractional retries',
    yaml: ['tasks:', '  a:', '    retries: 1.5'],
    issues: [
      ['tasks.a.retries', 3, 'workload.yaml:3: tasks.a.retries: expected a whole number, found 1.5'],
    ],
  },
  {
    name: 'negative max_interruptions',
    yaml: ['tasks:', '  a:', '    max_interruptions: -2'],
    issues: [
      ['tasks.a.max_interruptions', 3, 'workload.yaml:3: tasks.a.max_interruptions: expected a number ≥ 0, found -2'],
    ],
  },
  {
    name: 'fractional max_interruptions',
    yaml: ['tasks:', '  a:', '    max_interruptions: 0.5'],
    issues: [
      ['tasks.a.max_interruptions', 3, 'workload.yaml:3: tasks.a.max_interruptions: expected a whole number, found 0.5'],
    ],
  },
  {
    name: 'max_interruptions as a string',
    yaml: ['tasks:', '  a:', '    max_interruptions: "3"'],
    issues: [
      ['tasks.a.max_interruptions', 3, 'workload.yaml:3: tasks.a.max_interruptions: expected a number, found "3"'],
    ],
  },
  {
    name: 'unknown distribution',
    yaml: ['tasks:', '  a:', '    duration: { distribution: gamma, shape: 2 }'],
    issues: [
      ['tasks.a.duration.distribution', 3, 'workload.yaml:3: tasks.a.duration.distribution: expected one of "uniform", "normal", "exponential", found "gamma"'],
    ],
  },
  {
    name: 'uniform with max below min',
    yaml: ['tasks:', '  a:', '    duration: { distribution: uniform, min: 5, max: 2 }'],
    issues: [
      ['tasks.a.duration.max', 3, 'workload.yaml:3: tasks.a.duration.max: expected a number ≥ min (5), found 2'],
    ],
  },
  {
    name: 'normal without stddev',
    yaml: ['tasks:', '  a:', '    duration: { distribution: normal, mean: 3 }'],
    issues: [
      ['tasks.a.duration.stddev', 3, 'workload.yaml:3: tasks.a.duration.stddev: expected a number, found nothing'],
    ],
  },
  {
    name: 'exponential with an extra parameter',
    yaml: ['tasks:', '  a:', '    duration:', '      distribution: exponential', '      mean: 3', '      rate: 2'],
    issues: [
      ['tasks.a.duration.rate', 6, 'workload.yaml:6: tasks.a.duration.rate: expected one of the keys distribution, mean, found unknown key "rate"'],
    ],
  },
  {
    name: 'negative fixed duration',
    yaml: ['tasks:', '  a:', '    duration: -2'],
    issues: [
      ['tasks.a.duration', 3, 'workload.yaml:3: tasks.a.duration: expected a number ≥ 0, found -2'],
    ],
  },
  {
    name: 'bad inline config',
    yaml: ['config:', '  scheduler:', '    task_scheduler:', '      max_workers: 0', 'tasks:', '  a: {}'],
    issues: [
      ['config.scheduler.task_scheduler.max_workers', 4, 'workload.yaml:4: config.scheduler.task_scheduler.max_workers: expected a number > 0, found 0'],
    ],
  },
  {
    name: 'chain deeper than allowed',
    yaml: ['config:', '  scheduler:', '    dependency_scheduler:', '      max_dependency_depth: 2', 'tasks:', '  a: {}', '  b:', '    dependencies: [a]', '  c:', '    dependencies: [b]', '  d:', '    dependencies: [c]', '  e:', '    dependencies: [d]'],
    issues: [
      ['tasks.d.dependencies', 12, 'workload.yaml:12: tasks.d.dependencies: expected a chain of at most 2 dependencies (scheduler.dependency_scheduler.max_dependency_depth), found a chain of 3: d → c → b → a'],
    ],
  },
  {
    name: 'task config with a nested value',
    yaml: ['tasks:', '  a:', '    config:', '      LEVEL: { deep: 1 }'],
    issues: [
      ['tasks.a.config.LEVEL', 4, 'workload.yaml:4: tasks.a.config.LEVEL: expected a string, a number or a boolean (true or false), found a mapping'],
    ],
  },
  {
    name: 'an empty task name',
    yaml: ['tasks:', '  "": {command: "true"}'],
    issues: [['tasks', 2, 'workload.yaml:2: tasks: expected a key of non-empty text, not __proto__, found ""']],
  },
  {
    name: 'a null task name',
    yaml: ['tasks:', '  ~: {command: "true"}'],
    issues: [['tasks', 2, 'workload.yaml:2: tasks: expected a key of non-empty text, not __proto__, found null']],
  },
  {
    name: 'a task named __proto__ (plain data would drop it)',
    yaml: ['tasks:', '  __proto__: {command: "true"}'],
    issues: [['tasks', 2, 'workload.yaml:2: tasks: expected a key of non-empty text, not __proto__, found "__proto__" (it cannot be kept as a key)']],
  },
  {
    name: 'a __proto__ key in a task config',
    yaml: ['tasks:', '  a: {command: "true", config: {__proto__: {polluted: 1}, X: 1}}'],
    issues: [['tasks.a.config', 2, 'workload.yaml:2: tasks.a.config: expected a key of non-empty text, not __proto__, found "__proto__" (it cannot be kept as a key)']],
  },
  {
    name: 'a __proto__ custom resource and group weight',
    yaml: ['config:', '  scheduler:', '    resource_scheduler:', '      custom: {"__proto__": 3}', '    priority_scheduler:', '      group_weights: {__proto__: 2}', 'tasks:', '  a: {command: "true"}'],
    issues: [
      ['config.scheduler.resource_scheduler.custom', 4, 'workload.yaml:4: config.scheduler.resource_scheduler.custom: expected a key of non-empty text, not __proto__, found "__proto__" (it cannot be kept as a key)'],
      ['config.scheduler.priority_scheduler.group_weights', 6, 'workload.yaml:6: config.scheduler.priority_scheduler.group_weights: expected a key of non-empty text, not __proto__, found "__proto__" (it cannot be kept as a key)'],
    ],
  },
  {
    name: 'a list as a task name (yaml would make it text)',
    yaml: ['tasks:', '  [a, b]: {command: "true"}'],
    issues: [['tasks', 2, 'workload.yaml:2: tasks: expected a key of non-empty text, not __proto__, found a list']],
  },
  {
    name: 'an empty resource name',
    yaml: ['tasks:', '  a: {command: "true", resources: {"": 1}}'],
    issues: [['tasks.a.resources', 2, 'workload.yaml:2: tasks.a.resources: expected a key of non-empty text, not __proto__, found ""']],
  },
  {
    name: 'config keys that reach a command as one variable',
    yaml: ['tasks:', '  a: {command: "true", config: {a: 1, A: 2, B-C: 3, B_C: 4, D: 5}}'],
    issues: [
      ['tasks.a.config.a', 2, 'workload.yaml:2: tasks.a.config.a: expected keys that each reach the command as their own variable, found "a" and "A", all XENO_CONFIG_A (rename all but one)'],
      ['tasks.a.config.B-C', 2, 'workload.yaml:2: tasks.a.config.B-C: expected keys that each reach the command as their own variable, found "B-C" and "B_C", all XENO_CONFIG_B_C (rename all but one)'],
    ],
  },
  {
    name: 'an estimate the simulated clock cannot count in ms (it never ended)',
    yaml: ['tasks:', '  a: {estimate: 1e15}', '  b: {duration: {distribution: exponential, mean: 2e9}}'],
    issues: [
      ['tasks.a.estimate', 2, 'workload.yaml:2: tasks.a.estimate: expected a number ≤ 1000000000, found 1000000000000000'],
      ['tasks.b.duration.mean', 3, 'workload.yaml:3: tasks.b.duration.mean: expected a number ≤ 1000000000, found 2000000000'],
    ],
  },
  {
    name: 'a config key named json',
    yaml: ['tasks:', '  a: {command: "true", config: {json: 1}}'],
    issues: [['tasks.a.config.json', 2, 'workload.yaml:2: tasks.a.config.json: expected a key other than json (XENO_CONFIG_JSON holds the whole config), found "json"']],
  },
  {
    name: 'two YAML documents',
    yaml: ['tasks:', '  a: {command: "true"}', '---', 'tasks:', '  b: {command: "true"}'],
    issues: [['', 3, 'workload.yaml:3: <root>: expected one YAML document, found more than one (a "---" line starts another)']],
  },
  {
    name: 'an alias with no anchor',
    yaml: ['tasks:', '  a: {command: *x}'],
    issues: [['', undefined, 'workload.yaml: <root>: expected each alias (*name) after its anchor (&name), found *x with no anchor &x before it']],
  },
  {
    name: 'a resource named after an Object method (validate took it, run refused it)',
    yaml: ['tasks:', '  a: {command: "true", resources: {toString: 1}}'],
    issues: [['tasks.a.resources.toString', 2, 'workload.yaml:2: tasks.a.resources.toString: expected a resource of the pool (cpu, memory, disk, network), found "toString"']],
  },
  {
    name: 'a task name of only spaces',
    yaml: ['tasks:', '  "   ": {command: "true"}'],
    issues: [['tasks.   ', 2, 'workload.yaml:2: tasks.   : expected a name with a character other than spaces, found "   "']],
  },
  {
    name: 'custom YAML tags (yaml would keep them as text)',
    yaml: ['tasks:', '  a: {command: !shell "true", config: {b: !!binary aGk=}}'],
    issues: [
      ['tasks.a.command', 2, 'workload.yaml:2: tasks.a.command: expected a plain value (no YAML tag), found the tag !shell'],
      ['tasks.a.config.b', 2, 'workload.yaml:2: tasks.a.config.b: expected a plain value (no YAML tag), found the tag !!binary'],
    ],
  },
  {
    name: "a race's alternative that asks more than a pool holds, or depends on an unknown task",
    yaml: ['tasks:', '  goal:', '    race:', '      - command: z3', '        resources: {cpu: 100}', '      - command: vampire', '        dependencies: [nope]'],
    issues: [
      ['tasks.goal.race.1.dependencies.0', 7, 'workload.yaml:7: tasks.goal.race.1.dependencies.0: expected the name of a task in this workload, found "nope"'],
      ['tasks.goal.race.0.resources.cpu', 5, 'workload.yaml:5: tasks.goal.race.0.resources.cpu: expected at most 4 (the cpu pool\'s capacity), found 100 (task "goal/0" requests 100 cpu but the pool holds 4)'],
    ],
  },
  {
    name: 'integers beyond 2^53 (they would be rounded)',
    yaml: ['tasks:', '  a: {command: "true", retries: 9007199254740993, config: {seed: 123456789012345678901}}'],
    issues: [
      ['tasks.a.retries', 2, 'workload.yaml:2: tasks.a.retries: expected an integer of at most 9007199254740991 in size (2^53 - 1), found 9007199254740993 (it would be rounded to 9007199254740992)'],
      ['tasks.a.config.seed', 2, 'workload.yaml:2: tasks.a.config.seed: expected an integer of at most 9007199254740991 in size (2^53 - 1), found 123456789012345678901 (it would be rounded to 123456789012345680000)'],
    ],
  },
  {
    name: 'nesting deeper than any workload needs',
    yaml: ['tasks:', '  a:', '    command: "true"', `    config: ${'{a: '.repeat(200)}1${'}'.repeat(200)}`],
    issues: [[`tasks.a.config${'.a'.repeat(97)}`, 4, `workload.yaml:4: tasks.a.config${'.a'.repeat(97)}: expected YAML nested at most 100 levels deep, found deeper nesting`]],
  },
  {
    name: 'nesting deeper than the YAML parser can follow (5,000 mappings)',
    yaml: ['tasks:', '  a:', '    command: "true"', `    config: ${'{a: '.repeat(5000)}1${'}'.repeat(5000)}`],
    issues: [['', 4, 'workload.yaml:4: <root>: expected YAML nested at most 100 levels deep, found deeper nesting']],
  },
];

describe('parseWorkload', () => {
  it.each(badWorkloads)('reports $name with its path, line and message', (file) => {
    expect(issueRows(file, (text) => parseWorkload(text, 'workload.yaml', { env: {} }))).toEqual(file.issues);
  });

  it('keeps config keys a command could not tell apart where no command reads them: a module (ctx.config) or a task only simulated', () => {
    const text = ['tasks:', '  m: {module: ./work.mjs, export: run, config: {a: 1, A: 2, json: 3}}', '  s: {estimate: 1, config: {a: 1, A: 2}}'].join('\n');
    const workload = parseWorkload(text, 'workload.yaml', { env: {} });
    expect(workload.tasks.map((task) => [task.name, task.config])).toEqual([
      ['m', { a: 1, A: 2, json: 3 }],
      ['s', { a: 1, A: 2 }],
    ]);
  });
});

describe('checkDependencies', () => {
  const chain = (length: number, closed: boolean): Map<string, string[]> =>
    new Map(Array.from({ length }, (_, i) => [`t${i}`, i > 0 ? [`t${i - 1}`] : closed ? [`t${length - 1}`] : []]));

  it('checks a chain of 100,000 tasks without running out of stack or memory, naming the first task too deep', () => {
    const problems = checkDependencies(chain(100_000, false), 10);
    expect(problems).toHaveLength(1);
    expect(problems[0]?.path).toEqual(['tasks', 't11', 'dependencies']);
    expect(problems[0]?.found).toBe('a chain of 11: t11 → t10 → t9 → t8 → t7 → t6 → t5 → t4 → t3 → t2 → t1 → t0');
  });

  it('finds a cycle through 100,000 tasks, once', () => {
    const problems = checkDependencies(chain(100_000, true), 10);
    expect(problems.map((problem) => problem.path)).toEqual([['tasks', 't1', 'dependencies', 0]]);
    expect(problems[0]?.found).toMatch(/^the cycle t0 → t99999 → t99998 → .* → t1 → t0$/);
  });
});
