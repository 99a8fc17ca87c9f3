import { InvalidArgumentError } from 'commander';
import type { CliIo } from './CliIo.js';
import { ExitCode } from './ExitCode.js';
import { listenForSignals } from './listenForSignals.js';
import { createProcessGroupTerminator } from '../workers/createProcessGroupTerminator.js';
import { redactUrl } from '../distributed/redactUrl.js';
import { InvalidOptionsError } from '../errors.js';
import { loadOptionalPackage } from '../optionalPackages/loadOptionalPackage.js';

/** Flags of `xeno-scheduler worker`. */
export interface WorkerFlags {
  /** The coordinator's Redis URL; default: the XENO_REDIS_URL variable. */
  readonly redis?: string | undefined;
  /** The node this worker serves. */
  readonly node: string;
  /** Jobs run at once. */
  readonly concurrency: number;
  /** What this worker offers, announced for `resource_aware`. */
  readonly resources?: Record<string, number> | undefined;
  /** Milliseconds a job's lock lasts: how soon a killed worker's job runs elsewhere. */
  readonly lockDuration?: number | undefined;
}

/**
 * Parses `cpu=4,gpu=1` into `{ cpu: 4, gpu: 1 }` for commander.
 *
 * @example
 * parseResources('cpu=4,gpu=1'); // { cpu: 4, gpu: 1 }
 */
export function parseResources(text: string): Record<string, number> {
  const resources: Record<string, number> = {};
  for (const part of text.split(',')) {
    const [name, amount] = part.split('=');
    const value = Number(amount);
    if (!name || !(value > 0)) throw new InvalidArgumentError(`expected name=amount pairs such as cpu=4,gpu=1, received "${text}".`);
    resources[name.trim()] = value;
  }
  return resources;
}

/**
 * `xeno-scheduler worker`: joins a node of a distributed run and runs its command and module
 * tasks until SIGINT, SIGTERM or SIGHUP; then it stops taking jobs, lets the running ones finish
 * for a grace and aborts the rest (their tasks run again elsewhere).
 *
 * @returns {@link ExitCode.OK} after a signal
 * @throws RedisUnreachableError, UnknownNodeError (a running coordinator has no such node) or
 * InvalidOptionsError (a live worker of the node runs other task types): bad input, exit 2, before it takes a job
 * @throws MissingPackageError (exit 2) when bullmq or ioredis is not installed
 * @example
 * process.exitCode = await workerCommand({ redis: 'redis://10.0.0.5:6379', node: 'a', concurrency: 4 }, processIo);
 */
export async function workerCommand(flags: WorkerFlags, io: CliIo): Promise<ExitCode> {
  const url = flags.redis ?? process.env['XENO_REDIS_URL'];
  if (url === undefined || url === '') throw new InvalidOptionsError('--redis: expected a Redis URL (or the XENO_REDIS_URL variable), received none', '--redis');
  const signals = listenForSignals();
  const terminator = createProcessGroupTerminator();
  try {
    const { createWorker } = await loadOptionalPackage(['bullmq', 'ioredis'], 'the worker command', () => import('../distributed/createWorker.js'));
    const worker = await createWorker({
      connection: url,
      node: flags.node,
      concurrency: flags.concurrency,
      resources: flags.resources ?? {},
      descriptors: { command: { terminator }, module: { captureOutput: true } },
      ...(flags.lockDuration === undefined ? {} : { lockDurationMs: flags.lockDuration }),
    });
    io.stdout.write(`worker ${worker.id} serving node "${flags.node}" (concurrency ${flags.concurrency}) through ${redactUrl(url)}; Ctrl-C to stop\n`);
    const signal = await signals.received(1);
    io.stderr.write(`${signal}: finishing the running jobs (again to abort them now)\n`);
    void signals.received(2).then(() => terminator.hurry());
    await Promise.race([worker.close(), signals.received(2).then(() => worker.close(0))]);
    await terminator.settled();
    return ExitCode.OK;
  } finally {
    signals.dispose();
  }
}
