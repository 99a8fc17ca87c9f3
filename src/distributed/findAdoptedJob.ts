import type { NodeQueue } from './NodeQueue.js';

/**
 * What a restarted coordinator found of an attempt it adopted: `finished` (its outcome arrived
 * while no coordinator listened, and is delivered now), `running` (active on a worker), `queued`
 * (waiting on its node), or `gone` (no job on any node: never added, or removed; the attempt
 * counts as interrupted).
 */
export type AdoptedJobState = 'finished' | 'running' | 'queued' | 'gone';

/** One attempt a coordinator adopted, and what it found of its job. */
export interface Adoption {
  readonly taskId: string;
  readonly attempt: number;
  /** Where its job was; undefined when it was gone. */
  readonly node: string | undefined;
  readonly found: AdoptedJobState;
}

/**
 * Looks for a job on every node's queue by its id and says where it is and in what state.
 *
 * @example
 * await findAdoptedJob(queues, 'r1.prove.1'); // { node: 'a', found: 'running' }
 */
export async function findAdoptedJob(queues: ReadonlyMap<string, NodeQueue>, jobId: string): Promise<{ node: string | undefined; found: AdoptedJobState }> {
  for (const [node, { queue }] of queues) {
    const state = await queue.getJobState(jobId);
    if (state === 'unknown') continue;
    if (state === 'completed' || state === 'failed') return { node, found: 'finished' };
    return { node, found: state === 'active' ? 'running' : 'queued' };
  }
  return { node: undefined, found: 'gone' };
}
