import { InvalidOptionsError } from '../errors.js';
import { describeValue } from '../internal/describeValue.js';
import { LOAD_BALANCING, type DistributedOptions, type LoadBalancing, type NodeSpec } from './DistributedOptions.js';

const NODE_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;
const KNOWN = ['connection', 'nodes', 'loadBalancing', 'failover', 'checkIntervalMs', 'prefetch', 'runId', 'prefix', 'warnUnplaceableAfterMs'];

/** {@link DistributedOptions} checked, with defaults. */
export interface ResolvedDistributedOptions {
  readonly connection: string;
  readonly nodes: readonly NodeSpec[];
  readonly loadBalancing: LoadBalancing;
  readonly failover: boolean;
  readonly checkIntervalMs: number;
  readonly prefetch: number;
  readonly runId: string;
  readonly prefix: string;
  readonly warnUnplaceableAfterMs: number;
}

function fail(field: string, expected: string, value: unknown): never {
  throw new InvalidOptionsError(`options.${field}: expected ${expected}, received ${describeValue(value)}`, `options.${field}`);
}

function positive(value: unknown, field: string, fallback: number, integer = false): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !(value > 0) || !Number.isFinite(value) || (integer && !Number.isInteger(value))) {
    fail(field, integer ? 'an integer > 0' : 'a number > 0', value);
  }
  return value;
}

function toNode(node: unknown, index: number): NodeSpec {
  const spec = typeof node === 'string' ? { name: node } : (node as NodeSpec);
  if (typeof spec !== 'object' || spec === null || typeof spec.name !== 'string' || !NODE_NAME.test(spec.name)) {
    fail(`nodes[${index}]`, 'a node name (letters, digits, _ . -; no ":") or { name, maxWorkers, resources }', node);
  }
  return {
    name: spec.name,
    maxWorkers: spec.maxWorkers === undefined ? undefined : positive(spec.maxWorkers, `nodes[${index}].maxWorkers`, 1, true),
    resources: spec.resources,
  };
}

/**
 * Checks the options of `bullmqExecutor`: an unknown key or value is refused naming the option
 * and what it accepts.
 *
 * @example
 * resolveDistributedOptions({ connection: 'redis://127.0.0.1:6379', nodes: ['a', 'b'] }).loadBalancing; // 'round_robin'
 */
export function resolveDistributedOptions(options: DistributedOptions): ResolvedDistributedOptions {
  if (typeof options !== 'object' || options === null) fail('', 'an object', options);
  for (const key of Object.keys(options)) if (!KNOWN.includes(key)) fail(key, `a known option (${KNOWN.join(', ')})`, key);
  if (typeof options.connection !== 'string' || !/^rediss?:\/\/\S+$/.test(options.connection)) {
    fail('connection', 'a Redis URL such as redis://127.0.0.1:6379', options.connection);
  }
  if (!Array.isArray(options.nodes) || options.nodes.length === 0) fail('nodes', 'a non-empty list of nodes', options.nodes);
  const nodes = options.nodes.map(toNode);
  const names = new Set<string>();
  for (const [index, node] of nodes.entries()) {
    if (names.has(node.name)) fail(`nodes[${index}]`, 'a node name not used before', node.name);
    names.add(node.name);
  }
  const loadBalancing = options.loadBalancing ?? 'round_robin';
  if (!LOAD_BALANCING.includes(loadBalancing)) fail('loadBalancing', `one of ${LOAD_BALANCING.join(', ')}`, loadBalancing);
  if (options.failover !== undefined && typeof options.failover !== 'boolean') fail('failover', 'true or false', options.failover);
  const runId = options.runId ?? Math.random().toString(36).slice(2, 10);
  if (typeof runId !== 'string' || !/^[A-Za-z0-9_-]+$/.test(runId)) fail('runId', 'letters, digits, _ and -', runId);
  const prefix = options.prefix ?? 'xeno';
  if (typeof prefix !== 'string' || !/^[A-Za-z0-9_.-]+$/.test(prefix)) fail('prefix', 'letters, digits, _ . and -', prefix);
  return {
    connection: options.connection,
    nodes,
    loadBalancing,
    failover: options.failover ?? true,
    checkIntervalMs: positive(options.checkIntervalMs, 'checkIntervalMs', 1000),
    prefetch: positive(options.prefetch, 'prefetch', 2, true),
    runId,
    prefix,
    warnUnplaceableAfterMs: positive(options.warnUnplaceableAfterMs, 'warnUnplaceableAfterMs', 30_000),
  };
}
