import type { TaskPriority } from '../types.js';
import { createRandom } from './createRandom.js';
import type { WorkloadFileTask } from './types.js';

/** How often tasks ask for a resource, and how much. */
export interface ResourceDemand {
  /** Probability that a task asks for this resource, 0 to 1. */
  readonly share: number;
  /** Largest amount a task asks for; amounts are whole numbers from 1 to `max`. */
  readonly max: number;
}

/** Options of {@link generateDagWorkload}. */
export interface GenerateDagWorkloadOptions {
  /** Number of tasks, ≥ 1. */
  readonly tasks: number;
  /** Number of layers, 1 to `tasks`; every layer gets at least one task. @default ⌈√tasks⌉ */
  readonly layers?: number;
  /** Most dependencies of a task; each task past the first layer has 1 to `fanIn`, one from the layer before. @default 3 */
  readonly fanIn?: number;
  /** Ratio of the longest to the shortest estimate; estimates are log-uniform from 1 s to `durationSpread` s. @default 10 */
  readonly durationSpread?: number;
  /** Resource requests by resource name. @default {} (no task asks for resources) */
  readonly resourceMix?: Readonly<Record<string, ResourceDemand>>;
  /** Groups drawn uniformly for each task. @default ['default'] */
  readonly groups?: readonly string[];
  /** Seed of the generator; the same options and seed give the same workload. @default 0 */
  readonly seed?: number;
}

/**
 * A random layered DAG in the workload file shape: tasks `t0`, `t1`, … in layer order, each with
 * a random priority (1-5), a log-uniform estimate in seconds (its fixed simulated duration), a
 * group, dependencies only on earlier layers, and optional resource requests.
 *
 * @example
 * const workload = generateDagWorkload({ tasks: 200, layers: 12, fanIn: 3, durationSpread: 20, seed: 7 });
 * const { metrics } = await simulate(workload, { policy: 'critical-path', maxWorkers: 4 });
 */
export function generateDagWorkload(options: GenerateDagWorkloadOptions): { tasks: Record<string, WorkloadFileTask> } {
  const count = wholeAtLeast('tasks', options.tasks, 1);
  const layerCount = wholeAtLeast('layers', options.layers ?? Math.ceil(Math.sqrt(count)), 1);
  if (layerCount > count) throw new TypeError(`generateDagWorkload: expected layers ≤ tasks (${count}), received ${layerCount}`);
  const fanIn = wholeAtLeast('fanIn', options.fanIn ?? 3, 1);
  const spread = options.durationSpread ?? 10;
  if (!(spread >= 1)) throw new TypeError(`generateDagWorkload: expected durationSpread ≥ 1, received ${String(spread)}`);
  const groups = options.groups ?? ['default'];
  if (groups.length === 0) throw new TypeError('generateDagWorkload: expected at least one group, received []');
  const random = createRandom(options.seed ?? 0);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;

  const layerSizes = new Array<number>(layerCount).fill(1);
  for (let i = layerCount; i < count; i++) {
    const layer = Math.floor(random() * layerCount);
    layerSizes[layer] = (layerSizes[layer] ?? 0) + 1;
  }

  const tasks: Record<string, WorkloadFileTask> = {};
  const earlier: string[] = [];
  let previousLayer: string[] = [];
  let index = 0;
  for (const size of layerSizes) {
    const layer: string[] = [];
    for (let i = 0; i < size; i++, index++) {
      const name = `t${index}`;
      tasks[name] = {
        priority: (1 + Math.floor(random() * 5)) as TaskPriority,
        estimate: Math.round(1000 * spread ** random()) / 1000,
        group: pick(groups),
        dependencies: previousLayer.length === 0 ? [] : pickDependencies(previousLayer, earlier, fanIn, random),
        resources: pickResources(options.resourceMix ?? {}, random),
      };
      layer.push(name);
    }
    earlier.push(...layer);
    previousLayer = layer;
  }
  return { tasks };
}

function pickDependencies(previous: readonly string[], earlier: readonly string[], fanIn: number, random: () => number): string[] {
  const wanted = Math.min(1 + Math.floor(random() * fanIn), earlier.length);
  const chosen = new Set([previous[Math.floor(random() * previous.length)] as string]);
  while (chosen.size < wanted) chosen.add(earlier[Math.floor(random() * earlier.length)] as string);
  return [...chosen];
}

function pickResources(mix: Readonly<Record<string, ResourceDemand>>, random: () => number): Record<string, number> {
  const resources: Record<string, number> = {};
  for (const name of Object.keys(mix).sort()) {
    const demand = mix[name] as ResourceDemand;
    if (random() < demand.share) resources[name] = 1 + Math.floor(random() * demand.max);
  }
  return resources;
}

function wholeAtLeast(field: string, value: number, min: number): number {
  if (!Number.isInteger(value) || value < min) {
    throw new TypeError(`generateDagWorkload: expected ${field} to be a whole number ≥ ${min}, received ${String(value)}`);
  }
  return value;
}
