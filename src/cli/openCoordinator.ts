import type { DistributedExecutor } from '../distributed/bullmqExecutor.js';
import type { DistributedOptions } from '../distributed/DistributedOptions.js';
import { redactUrl } from '../distributed/redactUrl.js';
import { loadOptionalPackage } from '../optionalPackages/loadOptionalPackage.js';

/**
 * Opens the executor of a `type: distributed` run (loading bullmq only now) and waits until Redis
 * is reached; says on `notes` which nodes it coordinates, and on `warnings` what looks wrong.
 *
 * @throws RedisUnreachableError naming the URL, before any task is scheduled
 * @throws MissingPackageError when bullmq or ioredis is not installed
 * @example
 * const executor = await openCoordinator(plan.distributed, io.stdout, io.stderr);
 */
export async function openCoordinator(options: DistributedOptions, notes: NodeJS.WritableStream, warnings: NodeJS.WritableStream): Promise<DistributedExecutor> {
  const { bullmqExecutor } = await loadOptionalPackage(['bullmq', 'ioredis'], 'a distributed run (type: distributed)', () => import('../distributed/bullmqExecutor.js'));
  const executor = bullmqExecutor(options);
  try {
    await executor.ready();
  } catch (error) {
    await executor.close();
    throw error;
  }
  executor.onWarning((message) => warnings.write(`warning: ${message}\n`));
  const nodes = options.nodes.map((node) => (typeof node === 'string' ? node : node.name));
  notes.write(`coordinating nodes ${nodes.join(', ')} (${options.loadBalancing ?? 'round_robin'}) through ${redactUrl(options.connection)}\n`);
  return executor;
}
