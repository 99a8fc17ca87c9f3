import { accessSync, constants, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { createScheduler } from '../createScheduler.js';
import { ConfigurationError } from '../errors.js';
import { startDashboard, type Dashboard } from '../dashboard/startDashboard.js';
import { createWorkerPool, type WorkerPool } from '../executors/createWorkerPool.js';
import { serveMetrics, type MetricsEndpoint } from '../monitoring/serveMetrics.js';
import type { Scheduler } from '../scheduler.js';
import { buildRunReport } from './buildRunReport.js';
import type { CliIo } from './CliIo.js';
import { createLineProgress } from './createLineProgress.js';
import { createTerminalProgress } from './createTerminalProgress.js';
import { ExitCode } from './ExitCode.js';
import { formatRunSummary } from './formatRunSummary.js';
import { listenForSignals } from './listenForSignals.js';
import { loadPlan, type Plan, type PlanFlags } from './loadPlan.js';
import type { ProgressView } from './ProgressView.js';
import { toTaskSpecs } from './toTaskSpecs.js';
import { trackTaskRuns, type TaskRunTracker } from './trackTaskRuns.js';

/** Flags of `xeno-scheduler run`. */
export interface RunFlags extends PlanFlags {
  /** Print only one JSON document on stdout, at the end; progress goes to stderr. */
  readonly json?: boolean | undefined;
  /** Print no progress, only the summary (or the JSON document). */
  readonly quiet?: boolean | undefined;
  /** Also write the JSON document to this file. */
  readonly report?: string | undefined;
  /** Serve the live dashboard while the run lasts. */
  readonly dashboard?: boolean | undefined;
  /** The dashboard's port; 0 picks a free one. */
  readonly port?: number | undefined;
  /** The dashboard's interface; anything but loopback needs `token`. */
  readonly host?: string | undefined;
  /** The dashboard's access token. */
  readonly token?: string | undefined;
  /** Keep the dashboard and the metrics endpoint up after the run until Ctrl-C (implies `dashboard` without `metricsPort`). */
  readonly keepOpen?: boolean | undefined;
  /** Serve Prometheus metrics on this port while the run lasts. */
  readonly metricsPort?: number | undefined;
  /** The metrics endpoint's interface. */
  readonly metricsHost?: string | undefined;
}

/** Everything a run holds that must be let go of at the end, whatever happens. */
interface RunResources {
  pool: WorkerPool | undefined;
  scheduler: Scheduler | undefined;
  tracker: TaskRunTracker | undefined;
  dashboard: Dashboard | undefined;
  metrics: MetricsEndpoint | undefined;
}

function createProgressView(tracker: TaskRunTracker, flags: RunFlags, io: CliIo, startedAt: number): ProgressView {
  if (flags.quiet) return { stop: () => {} };
  if (flags.json) return createLineProgress(tracker, { stream: io.stderr, startedAt });
  if (io.stdout.isTTY) return createTerminalProgress(tracker, { stream: io.stdout, startedAt });
  return createLineProgress(tracker, { stream: io.stdout, startedAt });
}

/** Fails before anything runs when the report could not be written afterwards. */
function checkReportPath(path: string | undefined): void {
  if (path === undefined) return;
  const folder = dirname(resolve(path));
  try {
    accessSync(folder, constants.W_OK);
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code ?? String(error);
    const issue = { file: '<command line>', path: '--report', line: undefined, expected: 'a file in a writable folder', found: `${path} (${folder}: ${reason})` };
    throw new ConfigurationError([issue]);
  }
}

function needsWorkerPool({ workload }: Plan): boolean {
  return workload.tasks.some((task) => task.run?.kind === 'module' && task.run.worker);
}

function dashboardOptions(flags: RunFlags): { port?: number; host?: string; token?: string } {
  return {
    ...(flags.port === undefined ? {} : { port: flags.port }),
    ...(flags.host === undefined ? {} : { host: flags.host }),
    ...(flags.token === undefined ? {} : { token: flags.token }),
  };
}

async function release(resources: RunResources): Promise<void> {
  resources.tracker?.stop();
  await resources.dashboard?.close();
  await resources.metrics?.close();
  // stop() cancels whatever still runs (after an error) and ends the actors and their timers.
  await resources.scheduler?.stop();
  await resources.pool?.close();
}

/**
 * `xeno-scheduler run`: loads a workload, runs every task with live progress, and ends with a
 * summary table (or, with `--json`, one JSON document) and the optional report file. SIGINT or
 * SIGTERM cancels the running tasks through `scheduler.stop()`, which kills their processes.
 *
 * @returns {@link ExitCode.OK} when every task completed, {@link ExitCode.FAILED} when one did
 * not, {@link ExitCode.INTERRUPTED} after a signal
 * @throws ConfigurationError (and other bad input) before anything runs
 * @example
 * process.exitCode = await runCommand('config/examples/proof-pipeline.yaml', { maxWorkers: 2 }, processIo);
 */
export async function runCommand(file: string, flags: RunFlags, io: CliIo): Promise<ExitCode> {
  const plan = loadPlan(file, flags);
  checkReportPath(flags.report);
  const notes = flags.json ? io.stderr : io.stdout;
  const resources: RunResources = { pool: undefined, scheduler: undefined, tracker: undefined, dashboard: undefined, metrics: undefined };
  const signals = listenForSignals(() => {
    io.stderr.write('second interrupt: exiting without waiting for the clean-up\n');
    process.exit(ExitCode.INTERRUPTED);
  });
  let exitCode: ExitCode = ExitCode.FAILED;
  try {
    resources.pool = needsWorkerPool(plan) ? createWorkerPool({ maxThreads: plan.options.maxWorkers }) : undefined;
    const specs = toTaskSpecs(plan.workload, resources.pool);
    const scheduler = createScheduler(plan.options);
    resources.scheduler = scheduler;
    const tracker = trackTaskRuns(scheduler);
    resources.tracker = tracker;
    if (flags.dashboard || (flags.keepOpen && flags.metricsPort === undefined)) {
      resources.dashboard = await startDashboard(scheduler, dashboardOptions(flags));
      notes.write(`dashboard: ${resources.dashboard.url}\n`);
    }
    const { maxWorkers, policy } = plan.options;
    if (flags.metricsPort !== undefined) {
      resources.metrics = await serveMetrics(scheduler, { port: flags.metricsPort, host: flags.metricsHost ?? '127.0.0.1', policy: String(policy) });
      notes.write(`metrics: ${resources.metrics.url}\n`);
    }
    if (!flags.json) notes.write(`running ${specs.length} tasks from ${file} on ${maxWorkers} workers (policy ${policy})\n`);
    const startedAt = Date.now();
    const view = createProgressView(tracker, flags, io, startedAt);
    let interruptedBy: NodeJS.Signals | null;
    try {
      scheduler.scheduleTasks(specs);
      interruptedBy = await Promise.race([scheduler.onIdle().then(() => null), signals.received]);
      if (interruptedBy !== null) await scheduler.stop();
    } finally {
      view.stop();
    }
    const tasks = tracker.tasks();
    const isComplete = tasks.every((task) => task.status === 'completed');
    exitCode = interruptedBy !== null ? ExitCode.INTERRUPTED : isComplete ? ExitCode.OK : ExitCode.FAILED;
    const elapsedMs = Date.now() - startedAt;
    const report = buildRunReport(tasks, { workload: file, policy, maxWorkers, elapsedMs, interruptedBy, exitCode });
    const document = `${JSON.stringify(report, null, 2)}\n`;
    if (flags.report !== undefined) writeFileSync(flags.report, document);
    io.stdout.write(flags.json ? document : `\n${formatRunSummary(report)}`);
    const serving = [resources.dashboard && `dashboard at ${resources.dashboard.url}`, resources.metrics && `metrics at ${resources.metrics.url}`].filter(Boolean);
    if (flags.keepOpen && serving.length > 0 && interruptedBy === null) {
      notes.write(`still serving ${serving.join(' and ')}; press Ctrl-C to close\n`);
      await signals.received;
    }
  } finally {
    signals.dispose();
    await release(resources);
  }
  return exitCode;
}
