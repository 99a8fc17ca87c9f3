import { createScheduler, DEFAULT_RESOURCES } from '../core/createScheduler.js';
import { ConfigurationError, TaskStoreError } from '../errors.js';
import { resolvePolicy } from '../policies/resolvePolicy.js';
import { withSetting } from '../simulate/withSetting.js';
import type { SchedulingPolicy } from '../types.js';
import { startDashboard, type Dashboard } from '../dashboard/startDashboard.js';
import type { DashboardOptions } from '../dashboard/resolveDashboardOptions.js';
import type { DistributedExecutor } from '../distributed/bullmqExecutor.js';
import { createProcessGroupTerminator, type ProcessGroupTerminator } from '../workers/createProcessGroupTerminator.js';
import { createWorkerPool, type WorkerPool } from '../workers/createWorkerPool.js';
import { serveMetrics, type MetricsEndpoint } from '../monitoring/serveMetrics.js';
import type { Scheduler } from '../core/scheduler.js';
import { recordTrace } from '../simulate/recordTrace.js';
import { asFlagError } from './asFlagError.js';
import { buildRunReport, type RunReport } from './buildRunReport.js';
import { checkListenFlags, DASHBOARD_FLAGS, METRICS_FLAGS } from './checkListenFlags.js';
import { checkReportPath } from './checkReportPath.js';
import type { CliIo } from './CliIo.js';
import { counted } from './counted.js';
import { createLineProgress } from './createLineProgress.js';
import { createTerminalProgress } from './createTerminalProgress.js';
import { ExitCode } from './ExitCode.js';
import { formatRunSummary } from './formatRunSummary.js';
import { describeResumedRun } from './describeResumedRun.js';
import { endOnStoreFailure } from './endOnStoreFailure.js';
import { listenForSignals } from './listenForSignals.js';
import { loadPlan, planFiles, type Plan, type PlanFlags } from './loadPlan.js';
import { isFinishedRun, openRunState, withStoredTasks, type RunState } from './openRunState.js';
import { isRunComplete } from './isRunComplete.js';
import { historyFileOf, openHistory } from './openHistory.js';
import type { SqliteRunHistory } from '../stores/sqlite/sqliteHistory.js';
import { openCoordinator } from './openCoordinator.js';
import { toReattachedAttempts } from './reattachedAttempts.js';
import type { ProgressView } from './ProgressView.js';
import { SpawnedWork } from './SpawnedWork.js';
import { toTaskSpecs } from './toTaskSpecs.js';
import { trackTaskRuns, type TaskRunTracker } from './trackTaskRuns.js';
import { workOf } from './workOf.js';
import { writeReportFile } from './writeReportFile.js';

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
  /** Journal the run in this SQLite file, and resume the run stored there. */
  readonly state?: string | undefined;
  /** With `state`: discard the stored run and start over. */
  readonly fresh?: boolean | undefined;
  /** The history file: cached results of cacheable tasks across runs (else `XENO_HISTORY`, else `scheduler.history`). */
  readonly history?: string | undefined;
  /** Serve Prometheus metrics on this port while the run lasts. */
  readonly metricsPort?: number | undefined;
  /** The metrics endpoint's interface. */
  readonly metricsHost?: string | undefined;
  /** Host names the metrics endpoint answers besides loopback names and IP addresses, comma-separated. */
  readonly metricsAllowedHosts?: string | undefined;
  /** The origin a reverse proxy serves the dashboard at. */
  readonly publicOrigin?: string | undefined;
  /** Take the dashboard's scheme from the proxy's forwarded header. */
  readonly trustProxy?: boolean | undefined;
}

/** Everything a run holds that must be let go of at the end, whatever happens. */
interface RunResources {
  pool: WorkerPool | undefined;
  /** The BullMQ executor of a `type: distributed` run. */
  coordinator: DistributedExecutor | undefined;
  scheduler: Scheduler | undefined;
  tracker: TaskRunTracker | undefined;
  dashboard: Dashboard | undefined;
  /** Ends the command tasks' process groups; the run waits for its kills before it ends. */
  terminator: ProcessGroupTerminator;
  /** Whether the scheduler was stopped (and its work given its grace) already. */
  isStopped: boolean;
  /** The run's store (`--state`), closed after the scheduler stopped. */
  state?: RunState | undefined;
  /** The run's history (`--history`), closed after the scheduler stopped. */
  history?: SqliteRunHistory | undefined;
  metrics: MetricsEndpoint | undefined;
}

function createProgressView(tracker: TaskRunTracker, flags: RunFlags, io: CliIo, startedAt: number, maxWorkers: number): ProgressView {
  if (flags.quiet) return { stop: () => {} };
  if (flags.json) return createLineProgress(tracker, { stream: io.stderr, startedAt, maxWorkers });
  if (io.stdout.isTTY) return createTerminalProgress(tracker, { stream: io.stdout, startedAt, maxWorkers });
  return createLineProgress(tracker, { stream: io.stdout, startedAt, maxWorkers });
}

function needsWorkerPool({ workload, distributed }: Plan): boolean {
  return distributed === undefined && workload.tasks.some((task) => task.run?.kind === 'module' && task.run.worker);
}

function dashboardOptions(flags: RunFlags): DashboardOptions {
  return {
    ...(flags.port === undefined ? {} : { port: flags.port }),
    ...(flags.host === undefined ? {} : { host: flags.host }),
    ...(flags.token === undefined ? {} : { token: flags.token }),
    ...(flags.publicOrigin === undefined ? {} : { publicOrigin: flags.publicOrigin }),
    ...(flags.trustProxy === true ? { trustProxy: true } : {}),
  };
}

/**
 * The run's policy told the scheduler's setting (workers, pools), as the simulator tells it, so
 * that a policy that plans ahead (the critical-path lookahead) decides in a real run as it does
 * in `simulate` and in a replay of this run.
 */
function plannedPolicy({ options }: Plan): { policy?: SchedulingPolicy } {
  if (typeof options.policy !== 'string') return {};
  const resources = options.resources ?? DEFAULT_RESOURCES;
  const policy = resolvePolicy(options.policy, options.policyOptions ?? {});
  return { policy: withSetting(policy, { maxWorkers: options.maxWorkers ?? 4, capacity: resources }) };
}

function toJson(report: RunReport): string {
  return `${JSON.stringify(report, null, 2)}\n`;
}

/** How a run's clean-up can be hurried: by a signal after the one that ended the run, if any. */
interface Hurry {
  /** Resolves once the clean-up must not wait any longer; the tasks' processes are killed by then. */
  readonly requested: Promise<void>;
}

/** Waits for `work`, or less once the clean-up is hurried (what is left is ended by the exit). */
function unlessHurried(work: Promise<unknown> | undefined, hurry: Hurry): Promise<unknown> {
  return Promise.race([work, hurry.requested]);
}

async function release(resources: RunResources, hurry: Hurry, stderr: NodeJS.WritableStream): Promise<void> {
  resources.tracker?.stop();
  await unlessHurried(resources.dashboard?.close(), hurry);
  await unlessHurried(resources.metrics?.close(), hurry);
  // stop() cancels whatever still runs (after an error) and ends the actors and their timers;
  // work that ignored an earlier stop has had its grace already.
  await unlessHurried(resources.scheduler?.stop(resources.isStopped ? { graceMs: 0 } : {}), hurry);
  await unlessHurried(resources.pool?.close(), hurry);
  await unlessHurried(resources.coordinator?.close(), hurry);
  resources.state?.store.close();
  try {
    // It writes the learned usage still pending first: a failure is said, and the clean-up goes on.
    resources.history?.close();
  } catch (error) {
    stderr.write(`error: ${error instanceof Error ? error.message : String(error)}\n`);
  }
  // Exiting now would skip the SIGKILL of a process that ignores SIGTERM; hurrying sends it at once.
  await resources.terminator.settled();
}

/** Refuses a flag that does nothing without its partner (`--fresh` without `--state`…), naming both. */
function checkPartnerFlags(flags: RunFlags, wantsDashboard: boolean): void {
  const pairs: [flag: string, given: boolean, partner: string, present: boolean][] = [
    ['--fresh', flags.fresh === true, '--state <file>', flags.state !== undefined],
    ['--port', flags.port !== undefined, '--dashboard (or --keep-open without --metrics-port)', wantsDashboard],
    ['--host', flags.host !== undefined, '--dashboard (or --keep-open without --metrics-port)', wantsDashboard],
    ['--token', flags.token !== undefined, '--dashboard (or --keep-open without --metrics-port)', wantsDashboard],
    ['--public-origin', flags.publicOrigin !== undefined, '--dashboard (or --keep-open without --metrics-port)', wantsDashboard],
    ['--trust-proxy', flags.trustProxy === true, '--dashboard (or --keep-open without --metrics-port)', wantsDashboard],
    ['--metrics-host', flags.metricsHost !== undefined, '--metrics-port <port>', flags.metricsPort !== undefined],
    ['--metrics-allowed-hosts', flags.metricsAllowedHosts !== undefined, '--metrics-port <port>', flags.metricsPort !== undefined],
  ];
  const alone = pairs.find(([, given, , present]) => given && !present);
  if (alone !== undefined) {
    const [flag, , partner] = alone;
    throw new ConfigurationError([{ file: '<command line>', path: flag, line: undefined, expected: `${flag} together with ${partner}, which it applies to`, found: `${flag} without it` }]);
  }
}

/**
 * `xeno-scheduler run`: loads a workload, runs every task with live progress, and ends with a
 * summary table (or, with `--json`, one JSON document) and the optional report file. SIGINT,
 * SIGTERM or SIGHUP cancels the running tasks through `scheduler.stop()`, which kills their
 * processes (SIGTERM, then SIGKILL after a grace); a second signal kills them at once and stops
 * waiting for the clean-up, but still prints what was done.
 *
 * @returns {@link ExitCode.OK} when every task completed, {@link ExitCode.FAILED} when one did
 * not (or the report could not be written, or the `--state` store could not write: then the error
 * and what the store holds are printed instead of the summary and the JSON document),
 * {@link ExitCode.INTERRUPTED} after a signal
 * @throws ConfigurationError (and other bad input) before anything runs
 * @example
 * process.exitCode = await runCommand('config/examples/proof-pipeline.yaml', { maxWorkers: 2 }, processIo);
 */
export async function runCommand(file: string, flags: RunFlags, io: CliIo): Promise<ExitCode> {
  const wantsDashboard = flags.dashboard === true || (flags.keepOpen === true && flags.metricsPort === undefined);
  checkPartnerFlags(flags, wantsDashboard);
  const plan = loadPlan(file, flags);
  // SQLite keeps the store's recent writes beside it (-wal, -shm; -journal while it commits).
  const sqliteFiles = (role: string, path: string | undefined) =>
    path === undefined ? [] : ['', '-wal', '-shm', '-journal'].map((suffix) => ({ role: `${role}${suffix === '' ? '' : `'s ${suffix} file`}`, path: `${path}${suffix}` }));
  const historyFile = historyFileOf(flags, plan.workload.config, process.env);
  const state = [...sqliteFiles('the --state file', flags.state), ...sqliteFiles('the history file', historyFile)];
  checkReportPath(flags.report, '--report', [...planFiles(file, flags, plan), ...state]);
  const allowedHosts = flags.metricsAllowedHosts?.split(',').map((name) => name.trim()).filter((name) => name !== '');
  const metricsOptions = flags.metricsPort === undefined ? undefined : { port: flags.metricsPort, host: flags.metricsHost ?? '127.0.0.1', ...(allowedHosts === undefined ? {} : { allowedHosts }) };
  // A busy port or a bad token is bad input: refused before a task runs or the --state store is touched.
  await checkListenFlags({ dashboard: wantsDashboard ? dashboardOptions(flags) : undefined, metrics: metricsOptions });
  const notes = flags.json ? io.stderr : io.stdout;
  const terminator = createProcessGroupTerminator();
  const resources: RunResources = { pool: undefined, coordinator: undefined, scheduler: undefined, tracker: undefined, dashboard: undefined, metrics: undefined, terminator, isStopped: false };
  const signals = listenForSignals();
  /** The signals that ended the run so far; the next one hurries the clean-up. */
  let signalsUsed = 0;
  let hurry: Hurry | undefined;
  const hurryOnNextSignal = (): Hurry => {
    const count = signalsUsed + 1;
    hurry ??= {
      requested: signals.received(count).then((signal) => {
        terminator.hurry();
        io.stderr.write(`${signal}${count > 1 ? ' again' : ''}: killing the tasks' processes now\n`);
      }),
    };
    return hurry;
  };
  let exitCode: ExitCode = ExitCode.FAILED;
  try {
    resources.pool = needsWorkerPool(plan) ? createWorkerPool({ maxThreads: plan.options.maxWorkers }) : undefined;
    const remote = plan.distributed !== undefined;
    // What spawned children run, for the store to keep (without one, nothing needs keeping).
    const spawned = flags.state === undefined ? undefined : new SpawnedWork();
    const specOptions = { ...(resources.pool === undefined ? {} : { pool: resources.pool }), command: { terminator }, module: { captureOutput: true }, remote, ...(spawned ? { spawned } : {}) };
    const specs = toTaskSpecs(plan.workload, specOptions);
    resources.state = flags.state === undefined ? undefined : openRunState(flags.state, specs, workOf(plan.workload), flags.fresh === true, (tasks) => toTaskSpecs({ ...plan.workload, tasks }, specOptions));
    // With the children a resumed run's commands had spawned and that had not finished.
    const scheduled = [...specs, ...(resources.state?.respawned ?? [])];
    resources.history = historyFile === undefined ? undefined : openHistory(historyFile, flags.state);
    const finished = resources.state?.resumed;
    if (finished && !flags.json && isFinishedRun(resources.state, specs)) {
      // Nothing waits and the workload adds nothing: a finished run, said so, not an empty table.
      notes.write(
        `${describeResumedRun(finished, remote)}\n` +
          `the run stored in ${flags.state} is finished: ${counted(finished.completed + finished.failed + finished.cancelled, 'task')} (${finished.completed} completed, ${finished.failed} failed, ${finished.cancelled} cancelled); nothing to run.\n` +
          'To run it again from the start, add --fresh (it discards the stored run).\n',
      );
      exitCode = isRunComplete(resources.state?.finishedBefore ?? []) ? ExitCode.OK : ExitCode.FAILED;
      return exitCode;
    }
    // The store's run id names the jobs, so that a restarted coordinator finds those of its attempts.
    const runId = resources.state === undefined ? {} : { runId: resources.state.store.runId };
    if (plan.distributed) resources.coordinator = await openCoordinator({ ...plan.distributed, ...runId }, notes, io.stderr);
    const scheduler = createScheduler({
      ...plan.options,
      ...plannedPolicy(plan),
      ...(resources.coordinator ? { executor: resources.coordinator } : {}),
      ...(resources.state && spawned ? { store: spawned.journaling(resources.state.store) } : {}),
      ...(resources.history ? { history: resources.history } : {}),
    });
    resources.scheduler = scheduler;
    // Handled here, so never a process warning: a store failure ends the run below, anything else is said.
    scheduler.events.on('error', ({ error }) => {
      if (!(error instanceof TaskStoreError)) io.stderr.write(`error: ${error.message}\n`);
    });
    const tracker = trackTaskRuns(scheduler);
    resources.tracker = tracker;
    const recorder = recordTrace(scheduler, { policy: plan.options.policy });
    /** The store could not write (a full disk): the run ends saying what the store holds. */
    const storeFailed = async (error: unknown): Promise<ExitCode> => {
      const { state } = resources;
      if (!(error instanceof TaskStoreError) || state === undefined) throw error;
      resources.isStopped = true;
      return endOnStoreFailure(error, { scheduler, state }, io, notes);
    };
    // Resumed tasks get their work back before anything dispatches; scheduling again below adds nothing.
    if (resources.state) {
      try {
        scheduler.scheduleTasks(scheduled);
      } catch (error) {
        return (exitCode = await storeFailed(error));
      }
    }
    const resumed = resources.state?.resumed;
    if (resumed) notes.write(`${describeResumedRun(resumed, remote)}\n`);
    if (wantsDashboard) {
      const { coordinator } = resources;
      // A distributed run shows its nodes too.
      const options = { ...dashboardOptions(flags), ...(coordinator ? { nodes: () => coordinator.nodes() } : {}) };
      resources.dashboard = await asFlagError(() => startDashboard(scheduler, options), DASHBOARD_FLAGS);
      notes.write(`dashboard: ${resources.dashboard.url}\n`);
    }
    const { maxWorkers, policy } = plan.options;
    if (metricsOptions !== undefined) {
      const options = { ...metricsOptions, policy: String(policy) };
      resources.metrics = await asFlagError(() => serveMetrics(scheduler, options), METRICS_FLAGS);
      notes.write(`metrics: ${resources.metrics.url}\n`);
    }
    if (!flags.json) notes.write(`running ${counted(specs.length, 'task')} from ${file} on ${counted(maxWorkers, 'worker')} (policy ${policy})\n`);
    const startedAt = Date.now();
    const view = createProgressView(tracker, flags, io, startedAt, maxWorkers ?? 4);
    let interruptedBy: NodeJS.Signals | null = null;
    let failure: unknown;
    try {
      scheduler.scheduleTasks(scheduled);
      interruptedBy = await Promise.race([scheduler.onIdle().then(() => null), signals.received(1)]);
      if (interruptedBy !== null) {
        signalsUsed = 1;
        resources.isStopped = true;
        io.stderr.write(`${interruptedBy}: stopping the running tasks; again to kill their processes now\n`);
        if (flags.state !== undefined) {
          io.stderr.write(`the run is kept in ${flags.state} as it was (the tasks stopped here stay pending there): run the same command again to resume it; an attempt this stop cut short starts again, not counted\n`);
        }
        await unlessHurried(scheduler.stop(), hurryOnNextSignal());
      }
    } catch (error) {
      failure = error;
    } finally {
      view.stop();
    }
    if (failure !== undefined) return (exitCode = await storeFailed(failure));
    const tasks = withStoredTasks(tracker.tasks(), resources.state);
    // A race's losers are cancelled by its win: the run is complete when the race is.
    exitCode = interruptedBy !== null ? ExitCode.INTERRUPTED : isRunComplete(tasks) ? ExitCode.OK : ExitCode.FAILED;
    const elapsedMs = Date.now() - startedAt;
    const adoptions = resources.coordinator?.adoptions();
    const resumedNow = resumed && adoptions ? { ...resumed, reattached: toReattachedAttempts(adoptions) } : resumed;
    const facts = { workload: file, policy, maxWorkers, elapsedMs, ...(resumedNow ? { resumed: resumedNow } : {}) };
    const replay = { trace: recorder.stop(), policyOptions: plan.options.policyOptions ?? {} };
    let report = buildRunReport(tasks, { ...facts, interruptedBy, exitCode }, replay);
    const problem = flags.report === undefined ? undefined : writeReportFile(flags.report, toJson(report));
    if (problem !== undefined && exitCode === ExitCode.OK) {
      // The document says how the process ends, so it must not say 0 when the report is missing.
      exitCode = ExitCode.FAILED;
      report = buildRunReport(tasks, { ...facts, interruptedBy, exitCode }, replay);
    }
    io.stdout.write(flags.json ? toJson(report) : `\n${formatRunSummary(report, flags.state !== undefined)}`);
    if (problem !== undefined) io.stderr.write(`error: ${problem}\n`);
    const serving = [resources.dashboard && `dashboard at ${resources.dashboard.url}`, resources.metrics && `metrics at ${resources.metrics.url}`].filter(Boolean);
    if (flags.keepOpen && serving.length > 0 && interruptedBy === null) {
      notes.write(`still serving ${serving.join(' and ')}; press Ctrl-C to close\n`);
      await signals.received(1);
      signalsUsed = 1;
    }
  } finally {
    await release(resources, hurryOnNextSignal(), io.stderr);
    signals.dispose();
  }
  return exitCode;
}
