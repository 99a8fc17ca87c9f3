import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/parseConfig.js';
import { configurationIssues, issueRows, type BadFile } from '../fixtures/config/configurationIssues.js';

const badConfigs: readonly BadFile[] = [
  {
    name: 'unknown top-level key',
    yaml: ['schedular:', '  type: task'],
    issues: [
      ['schedular', 1, 'config.yaml:1: schedular: expected one of the keys scheduler, found unknown key "schedular" (did you mean "scheduler"?)'],
    ],
  },
  {
    name: 'unknown section',
    yaml: ['scheduler:', '  task_schedular:', '    max_workers: 4'],
    issues: [
      ['scheduler.task_schedular', 2, 'config.yaml:2: scheduler.task_schedular: expected one of the keys type, task_scheduler, resource_scheduler, dependency_scheduler, priority_scheduler, distributed_scheduler, speculate, history, found unknown key "task_schedular" (did you mean "task_scheduler"?)'],
    ],
  },
  {
    name: 'unknown key in a section',
    yaml: ['scheduler:', '  task_scheduler:', '    max_worker: 4'],
    issues: [
      ['scheduler.task_scheduler.max_worker', 3, 'config.yaml:3: scheduler.task_scheduler.max_worker: expected one of the keys max_workers, timeout, retry_attempts, max_interruptions, found unknown key "max_worker" (did you mean "max_workers"?)'],
    ],
  },
  {
    name: 'max_workers as a word',
    yaml: ['scheduler:', '  task_scheduler:', '    max_workers: four'],
    issues: [
      ['scheduler.task_scheduler.max_workers', 3, 'config.yaml:3: scheduler.task_scheduler.max_workers: expected a number, found "four"'],
    ],
  },
  {
    name: 'a fractional prefetch (below one it would leave worker slots idle)',
    yaml: ['scheduler:', '  distributed_scheduler:', '    prefetch: 0.5'],
    issues: [
      ['scheduler.distributed_scheduler.prefetch', 3, 'config.yaml:3: scheduler.distributed_scheduler.prefetch: expected a whole number, found 0.5'],
    ],
  },
  {
    name: 'zero workers',
    yaml: ['scheduler:', '  task_scheduler:', '    max_workers: 0'],
    issues: [
      ['scheduler.task_scheduler.max_workers', 3, 'config.yaml:3: scheduler.task_scheduler.max_workers: expected a number > 0, found 0'],
    ],
  },
  {
    name: 'fractional workers',
    yaml: ['scheduler:', '  task_scheduler:', '    max_workers: 2.5'],
    issues: [
      ['scheduler.task_scheduler.max_workers', 3, 'config.yaml:3: scheduler.task_scheduler.max_workers: expected a whole number, found 2.5'],
    ],
  },
  {
    name: 'negative timeout',
    yaml: ['scheduler:', '  task_scheduler:', '    timeout: -5'],
    issues: [
      ['scheduler.task_scheduler.timeout', 3, 'config.yaml:3: scheduler.task_scheduler.timeout: expected a number ≥ 0, found -5'],
    ],
  },
  {
    name: 'negative retries',
    yaml: ['scheduler:', '  task_scheduler:', '    retry_attempts: -1'],
    issues: [
      ['scheduler.task_scheduler.retry_attempts', 3, 'config.yaml:3: scheduler.task_scheduler.retry_attempts: expected a number ≥ 0, found -1'],
    ],
  },
  {
    name: 'negative max_interruptions',
    yaml: ['scheduler:', '  task_scheduler:', '    max_interruptions: -1'],
    issues: [
      ['scheduler.task_scheduler.max_interruptions', 3, 'config.yaml:3: scheduler.task_scheduler.max_interruptions: expected a number ≥ 0, found -1'],
    ],
  },
  {
    name: 'fractional max_interruptions',
    yaml: ['scheduler:', '  task_scheduler:', '    max_interruptions: 2.5'],
    issues: [
      ['scheduler.task_scheduler.max_interruptions', 3, 'config.yaml:3: scheduler.task_scheduler.max_interruptions: expected a whole number, found 2.5'],
    ],
  },
  {
    name: 'max_interruptions as a string',
    yaml: ['scheduler:', '  task_scheduler:', '    max_interruptions: three'],
    issues: [
      ['scheduler.task_scheduler.max_interruptions', 3, 'config.yaml:3: scheduler.task_scheduler.max_interruptions: expected a number, found "three"'],
    ],
  },
  {
    name: 'zero cpu cores',
    yaml: ['scheduler:', '  resource_scheduler:', '    cpu_cores: 0'],
    issues: [
      ['scheduler.resource_scheduler.cpu_cores', 3, 'config.yaml:3: scheduler.resource_scheduler.cpu_cores: expected a number > 0, found 0'],
    ],
  },
  {
    name: 'negative memory',
    yaml: ['scheduler:', '  resource_scheduler:', '    memory_gb: -8'],
    issues: [
      ['scheduler.resource_scheduler.memory_gb', 3, 'config.yaml:3: scheduler.resource_scheduler.memory_gb: expected a number > 0, found -8'],
    ],
  },
  {
    name: 'disk with a unit',
    yaml: ['scheduler:', '  resource_scheduler:', '    disk_gb: 100GB'],
    issues: [
      ['scheduler.resource_scheduler.disk_gb', 3, 'config.yaml:3: scheduler.resource_scheduler.disk_gb: expected a number, found "100GB"'],
    ],
  },
  {
    name: 'bandwidth as a boolean',
    yaml: ['scheduler:', '  resource_scheduler:', '    network_bandwidth: true'],
    issues: [
      ['scheduler.resource_scheduler.network_bandwidth', 3, 'config.yaml:3: scheduler.resource_scheduler.network_bandwidth: expected a number, found true'],
    ],
  },
  {
    name: 'zero custom resource',
    yaml: ['scheduler:', '  resource_scheduler:', '    custom:', '      gpu: 0'],
    issues: [
      ['scheduler.resource_scheduler.custom.gpu', 4, 'config.yaml:4: scheduler.resource_scheduler.custom.gpu: expected a number > 0, found 0'],
    ],
  },
  {
    name: 'custom resource named like a built-in',
    yaml: ['scheduler:', '  resource_scheduler:', '    custom:', '      cpu: 2'],
    issues: [
      ['scheduler.resource_scheduler.custom.cpu', 4, 'config.yaml:4: scheduler.resource_scheduler.custom.cpu: expected a name other than the built-in resources (cpu, memory, disk, network), found 2 (set the cpu capacity with its own key instead)'],
    ],
  },
  {
    name: 'custom resources as a list',
    yaml: ['scheduler:', '  resource_scheduler:', '    custom: [gpu]'],
    issues: [
      ['scheduler.resource_scheduler.custom', 3, 'config.yaml:3: scheduler.resource_scheduler.custom: expected a mapping, found a list of 1 item'],
    ],
  },
  {
    name: 'misspelt type',
    yaml: ['scheduler:', '  type: distrubuted'],
    issues: [
      ['scheduler.type', 2, 'config.yaml:2: scheduler.type: expected one of "task", "resource", "dependency", "priority", "distributed", found "distrubuted" (did you mean "distributed"?)'],
    ],
  },
  {
    name: 'unknown priority name',
    yaml: ['scheduler:', '  priority_scheduler:', '    default_priority: urgent'],
    issues: [
      ['scheduler.priority_scheduler.default_priority', 3, 'config.yaml:3: scheduler.priority_scheduler.default_priority: expected a priority name (lowest, low, normal, high, highest) or a whole number from 1 to 5, found "urgent"'],
    ],
  },
  {
    name: 'misspelt priority name',
    yaml: ['scheduler:', '  priority_scheduler:', '    default_priority: hihg'],
    issues: [
      ['scheduler.priority_scheduler.default_priority', 3, 'config.yaml:3: scheduler.priority_scheduler.default_priority: expected a priority name (lowest, low, normal, high, highest) or a whole number from 1 to 5, found "hihg" (did you mean "high"?)'],
    ],
  },
  {
    name: 'priority level out of range',
    yaml: ['scheduler:', '  priority_scheduler:', '    default_priority: 7'],
    issues: [
      ['scheduler.priority_scheduler.default_priority', 3, 'config.yaml:3: scheduler.priority_scheduler.default_priority: expected a number ≤ 5, found 7'],
    ],
  },
  {
    name: 'unknown policy',
    yaml: ['scheduler:', '  priority_scheduler:', '    policy: round-robin'],
    issues: [
      ['scheduler.priority_scheduler.policy', 3, 'config.yaml:3: scheduler.priority_scheduler.policy: expected one of "priority", "fifo", "shortest-first", "critical-path", "fair-share", found "round-robin"'],
    ],
  },
  {
    name: 'policy with an underscore',
    yaml: ['scheduler:', '  priority_scheduler:', '    policy: shortest_first'],
    issues: [
      ['scheduler.priority_scheduler.policy', 3, 'config.yaml:3: scheduler.priority_scheduler.policy: expected one of "priority", "fifo", "shortest-first", "critical-path", "fair-share", found "shortest_first" (did you mean "shortest-first"?)'],
    ],
  },
  {
    name: 'negative aging interval',
    yaml: ['scheduler:', '  priority_scheduler:', '    aging_interval: -1'],
    issues: [
      ['scheduler.priority_scheduler.aging_interval', 3, 'config.yaml:3: scheduler.priority_scheduler.aging_interval: expected a number ≥ 0, found -1'],
    ],
  },
  {
    name: 'backfill as a string',
    yaml: ['scheduler:', '  priority_scheduler:', '    backfill: "yes"'],
    issues: [
      ['scheduler.priority_scheduler.backfill', 3, 'config.yaml:3: scheduler.priority_scheduler.backfill: expected a boolean (true or false), found "yes"'],
    ],
  },
  {
    name: 'negative group weight',
    yaml: ['scheduler:', '  priority_scheduler:', '    group_weights:', '      proofs: -1'],
    issues: [
      ['scheduler.priority_scheduler.group_weights.proofs', 4, 'config.yaml:4: scheduler.priority_scheduler.group_weights.proofs: expected a number > 0, found -1'],
    ],
  },
  {
    name: 'zero dependency depth',
    yaml: ['scheduler:', '  dependency_scheduler:', '    max_dependency_depth: 0'],
    issues: [
      ['scheduler.dependency_scheduler.max_dependency_depth', 3, 'config.yaml:3: scheduler.dependency_scheduler.max_dependency_depth: expected a number > 0, found 0'],
    ],
  },
  {
    name: 'empty node list',
    yaml: ['scheduler:', '  distributed_scheduler:', '    nodes: []'],
    issues: [
      ['scheduler.distributed_scheduler.nodes', 3, 'config.yaml:3: scheduler.distributed_scheduler.nodes: expected a non-empty list, found an empty list'],
    ],
  },
  {
    name: 'nodes as a string',
    yaml: ['scheduler:', '  distributed_scheduler:', '    nodes: node1'],
    issues: [
      ['scheduler.distributed_scheduler.nodes', 3, 'config.yaml:3: scheduler.distributed_scheduler.nodes: expected a list, found "node1"'],
    ],
  },
  {
    name: 'unknown load balancing mode',
    yaml: ['scheduler:', '  distributed_scheduler:', '    load_balancing: dice'],
    issues: [
      ['scheduler.distributed_scheduler.load_balancing', 3, 'config.yaml:3: scheduler.distributed_scheduler.load_balancing: expected one of "round_robin", "least_loaded", "resource_aware", found "dice"'],
    ],
  },
  {
    name: 'node listed twice',
    yaml: ['scheduler:', '  distributed_scheduler:', '    nodes: [a, b, a]'],
    issues: [
      ['scheduler.distributed_scheduler.nodes.2', 3, 'config.yaml:3: scheduler.distributed_scheduler.nodes.2: expected a node name not used before ("a" is listed twice), found "a"'],
    ],
  },
  {
    name: 'unknown key of a node',
    yaml: ['scheduler:', '  distributed_scheduler:', '    nodes:', '      - name: a', '        max_worker: 2'],
    issues: [
      ['scheduler.distributed_scheduler.nodes.0.max_worker', 5, 'config.yaml:5: scheduler.distributed_scheduler.nodes.0.max_worker: expected one of the keys name, max_workers, resources, found unknown key "max_worker" (did you mean "max_workers"?)'],
    ],
  },
  {
    name: 'failover as a number',
    yaml: ['scheduler:', '  distributed_scheduler:', '    failover: 1'],
    issues: [
      ['scheduler.distributed_scheduler.failover', 3, 'config.yaml:3: scheduler.distributed_scheduler.failover: expected a boolean (true or false), found 1'],
    ],
  },
  {
    name: 'empty value',
    yaml: ['scheduler:', '  task_scheduler:', '    max_workers:'],
    issues: [
      ['scheduler.task_scheduler.max_workers', 3, 'config.yaml:3: scheduler.task_scheduler.max_workers: expected a number, found an empty value'],
    ],
  },
  {
    name: 'scheduler as a list',
    yaml: ['scheduler:', '  - task'],
    issues: [
      ['scheduler', 1, 'config.yaml:1: scheduler: expected a mapping, found a list of 1 item'],
    ],
  },
  {
    name: 'repeated section',
    yaml: ['scheduler:', '  task_scheduler:', '    max_workers: 2', '  task_scheduler:', '    timeout: 5'],
    issues: [
      ['scheduler.task_scheduler', 4, 'config.yaml:4: scheduler.task_scheduler: expected each key once, found "task_scheduler" again (first at line 2) (rename or merge the two entries)'],
    ],
  },
  {
    name: 'malformed YAML',
    yaml: ['scheduler:', '  task_scheduler:', '    max_workers: [4', '  type: task'],
    issues: [
      ['', 4, 'config.yaml:4: <root>: expected valid YAML, found Flow sequence in block collection must be sufficiently indented and end with a ]'],
    ],
  },
  {
    name: 'two problems',
    yaml: ['scheduler:', '  task_scheduler:', '    max_workers: 0', '    timeout: soon'],
    issues: [
      ['scheduler.task_scheduler.max_workers', 3, 'config.yaml:3: scheduler.task_scheduler.max_workers: expected a number > 0, found 0'],
      ['scheduler.task_scheduler.timeout', 4, 'config.yaml:4: scheduler.task_scheduler.timeout: expected a number, found "soon"'],
    ],
  },
  {
    name: 'an alias bomb',
    yaml: ['a: &a [x, x, x, x, x, x, x, x, x]', 'b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]', 'c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]', 'd: [*c, *c, *c, *c, *c, *c, *c, *c, *c]'],
    issues: [
      ['', undefined, 'config.yaml: <root>: expected YAML with at most 100 alias expansions, found Excessive alias count indicates a resource exhaustion attack'],
    ],
  },
];

describe('parseConfig', () => {
  it.each(badConfigs)('reports $name with its path, line and message', (file) => {
    expect(issueRows(file, (text) => parseConfig(text, 'config.yaml', { env: {} }))).toEqual(file.issues);
  });

  it('names the file in every issue', () => {
    const found = configurationIssues(() => parseConfig('scheduler:\n  type: 3\n', 'settings/prod.yaml', { env: {} }));
    expect(found.map((issue) => issue.file)).toEqual(['settings/prod.yaml']);
  });
});
