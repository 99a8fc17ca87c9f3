import { readFileSync, writeFileSync } from 'node:fs';
import { ConfigurationError } from '../errors.js';
import { comparisonRow, compareSimulations, type ComparisonRow } from '../simulate/compareSimulations.js';
import { replayOf, type ReplayableReport, type ReplayWorkload } from '../simulate/replayOf.js';
import { formatTable } from '../simulate/formatTable.js';
import { simulate, type SimulateOptions } from '../simulate/simulate.js';
import type { SimulationWorkload } from '../simulate/types.js';
import { traceToSvg } from '../simulate/traceToSvg.js';
import type { WorkloadTask } from '../config/workloadTypes.js';
import type { PolicyName } from '../types.js';
import type { CliIo } from './CliIo.js';
import { counted } from './counted.js';
import { ExitCode } from './ExitCode.js';
import { checkReportPath, type ProtectedFile } from './checkReportPath.js';
import { loadPlan, planFiles, type PlanFlags } from './loadPlan.js';
import { tasksError } from './tasksError.js';
import { learnedFromHistory } from '../estimates/learnedFromHistory.js';
import { sqliteHistory } from '../stores/sqlite/sqliteHistory.js';

/** Flags of `xeno-scheduler simulate`. */
export interface SimulateFlags extends PlanFlags {
  /** More policies to simulate beside `policy`, compared side by side. */
  readonly compare?: readonly PolicyName[] | undefined;
  /** Seed of the duration draws. @default 0 */
  readonly seed?: number | undefined;
  /** Write the trace of the `policy` run as JSON to this file. */
  readonly trace?: string | undefined;
  /** Write the timeline of the `policy` run as an SVG Gantt chart to this file. */
  readonly svg?: string | undefined;
  /** Print one JSON document instead of the table. */
  readonly json?: boolean | undefined;
  /** A run report (`run --report`) to replay with its measured durations, instead of a workload file. */
  readonly replay?: string | undefined;
  /**
   * A history file (`run --history`): tasks that declare no estimate are planned with what it
   * learned, and a task with neither estimate nor duration runs for its learned estimate. Read only.
   */
  readonly history?: string | undefined;
  /** Back up idempotent stragglers after this many times their estimate; each policy is shown without and with. */
  readonly speculate?: number | undefined;
}

/** The learned estimates of `--history`, frozen (a simulation teaches the history nothing), or none. */
function historyEstimates(flags: SimulateFlags): Pick<SimulateOptions, 'estimates'> {
  if (flags.history === undefined) return {};
  const history = sqliteHistory(flags.history, { mustExist: true });
  try {
    return { estimates: learnedFromHistory(history, { frozen: true }) };
  } finally {
    history.close();
  }
}

/** The rows of the side-by-side table: label and how to read the value from a comparison row. */
const METRICS: readonly { label: string; value: (row: ComparisonRow) => number }[] = [
  { label: 'makespan s', value: (row) => row.makespanMs / 1000 },
  { label: 'lower bound s', value: (row) => row.lowerBoundMs / 1000 },
  { label: 'makespan / bound', value: (row) => row.ratio },
  { label: 'mean wait s', value: (row) => row.meanWaitMs / 1000 },
  { label: 'p95 wait s', value: (row) => row.p95WaitMs / 1000 },
  { label: 'max wait s', value: (row) => row.maxWaitMs / 1000 },
  { label: 'worker utilization', value: (row) => row.workerUtilization },
];

/** Metrics as rows, one column per policy. */
function sideBySide(rows: readonly ComparisonRow[]): string {
  return formatTable(METRICS.map(({ label, value }) => ({ metric: label, ...Object.fromEntries(rows.map((row) => [row.policy, value(row)])) })));
}

/**
 * `xeno-scheduler simulate`: replays a workload under a simulated clock (the real scheduler, task
 * durations from each task's `duration` or `estimate`) with one policy, or several with
 * `--compare`, and prints their metrics side by side. It can write the first policy's trace (JSON)
 * and timeline (SVG).
 *
 * @returns {@link ExitCode.OK}; a task with neither `estimate` nor `duration` is bad input
 * @example
 * process.exitCode = await simulateCommand('config/examples/simulation-dag.yaml', { policy: 'fifo', compare: ['critical-path'] }, processIo);
 */
export async function simulateCommand(file: string | undefined, flags: SimulateFlags, io: CliIo): Promise<ExitCode> {
  if (flags.replay !== undefined && file !== undefined) {
    throw badInput('<command line>', '<workload>', 'a workload file or --replay <report>, not both', `${file} and --replay ${flags.replay}`);
  }
  if (flags.replay !== undefined) return replayCommand(flags.replay, flags, io);
  if (file === undefined) throw badInput('<command line>', '<workload>', 'a workload file, or --replay <report>', 'neither');
  const plan = loadPlan(file, flags);
  const { workload, options } = plan;
  checkOutputPaths(flags, planFiles(file, flags, plan));
  const learned = historyEstimates(flags);
  // What runs needs a time: a task, or each alternative of a race (the race itself runs nothing).
  const untimed = workload.tasks
    .flatMap((task) => task.race ?? [task])
    .filter((task) => (task.estimateMs === undefined || (task.estimateMs === 'auto' && learned.estimates === undefined)) && task.duration === undefined);
  if (untimed.length > 0 && learned.estimates === undefined) {
    throw tasksError(workload, untimed, { expected: 'an `estimate` or a `duration` to simulate (or --history, to use learned ones)', found: 'neither' });
  }
  // With a history, a task with neither runs for its learned estimate.
  const timedTask = (task: WorkloadTask): WorkloadTask =>
    untimed.includes(task) ? { ...task, estimateMs: 'auto' } : task.race === undefined ? task : { ...task, race: task.race.map(timedTask) };
  const timed = untimed.length === 0 ? workload : { ...workload, tasks: workload.tasks.map(timedTask) };
  const policies = [...new Set([options.policy, ...(flags.compare ?? [])])];
  const settings = {
    maxWorkers: options.maxWorkers,
    seed: flags.seed ?? 0,
    ...(options.resources === undefined ? {} : { resources: options.resources }),
    ...(options.policyOptions === undefined ? {} : { policyOptions: options.policyOptions }),
    ...learned,
  };
  // --speculate, else the workload's scheduler.speculate (loadPlan gives the flag precedence).
  const rows = await compareSimulations(timed, policies, { ...settings, ...(options.speculate === undefined ? {} : { speculate: options.speculate }) });
  await writeTimeline(timed, { ...settings, policy: options.policy }, flags);
  if (flags.json) {
    io.stdout.write(`${JSON.stringify({ workload: file, maxWorkers: settings.maxWorkers, seed: settings.seed, policies: rows }, null, 2)}\n`);
    return ExitCode.OK;
  }
  const heading = `simulated ${counted(workload.tasks.length, 'task')} from ${file} on ${counted(settings.maxWorkers, 'worker')}, seed ${settings.seed}`;
  io.stdout.write(`${heading}\n\n${sideBySide(rows)}\n${written(flags)}`);
  return ExitCode.OK;
}

/**
 * Refuses, before anything is simulated, a `--trace` or `--svg` path that could not be written or
 * that names an input (the rules of `run --report`), or the same file for both.
 */
function checkOutputPaths(flags: SimulateFlags, inputs: readonly ProtectedFile[]): void {
  checkReportPath(flags.trace, '--trace', inputs);
  const trace = flags.trace === undefined ? [] : [{ role: 'the --trace file', path: flags.trace }];
  checkReportPath(flags.svg, '--svg', [...inputs, ...trace]);
}

/** Writes one output file, or throws a ConfigurationError naming its flag when the write fails (a full disk). */
function writeOutput(flag: string, path: string, text: string): void {
  try {
    writeFileSync(path, text);
  } catch (error) {
    const { code, message } = error as NodeJS.ErrnoException;
    throw badInput('<command line>', flag, 'a file the output could be written to', `${path} (${code ?? message})`);
  }
}

/** Writes the trace (JSON) and timeline (SVG) of one simulated run, when the flags ask for them. */
async function writeTimeline(workload: SimulationWorkload, options: SimulateOptions, flags: SimulateFlags): Promise<void> {
  if (flags.trace === undefined && flags.svg === undefined) return;
  const { trace } = await simulate(workload, options);
  if (flags.trace !== undefined) writeOutput('--trace', flags.trace, `${JSON.stringify(trace, null, 2)}\n`);
  if (flags.svg !== undefined) writeOutput('--svg', flags.svg, traceToSvg(trace));
}

const written = (flags: SimulateFlags): string =>
  [flags.trace, flags.svg]
    .filter((path) => path !== undefined)
    .map((path) => `wrote ${path}\n`)
    .join('');

/**
 * `xeno-scheduler simulate --replay run.json`: re-runs a real run's workload in the simulator with
 * each task's measured attempts, under the run's own policy (or `--policy`) and every `--compare`
 * policy, and prints their metrics beside the real run's; `--trace` and `--svg` write the
 * replay under the run's own policy.
 */
async function replayCommand(path: string, flags: SimulateFlags, io: CliIo): Promise<ExitCode> {
  const replay = readReplay(path);
  checkOutputPaths(flags, [{ role: 'the --replay report', path }]);
  const own = flags.policy ?? replay.policy ?? 'priority';
  const policies = [...new Set([own, ...(flags.compare ?? [])])];
  const settings = { maxWorkers: flags.maxWorkers ?? replay.maxWorkers, ...historyEstimates(flags) };
  const rows = [comparisonRow('real run', replay.real), ...(await compareSimulations(replay, policies, settings))];
  await writeTimeline(replay, { ...settings, policy: own }, flags);
  if (flags.json) {
    io.stdout.write(`${JSON.stringify({ replay: path, maxWorkers: settings.maxWorkers, policies: rows }, null, 2)}\n`);
    return ExitCode.OK;
  }
  const heading = `replayed ${counted(replay.tasks.length, 'task')} of the run in ${path} (policy ${replay.policy ?? 'custom'}) on ${counted(settings.maxWorkers, 'worker')}`;
  io.stdout.write(`${heading}\n\n${sideBySide(rows)}\n${written(flags)}`);
  return ExitCode.OK;
}

function readReplay(path: string): ReplayWorkload {
  let report: unknown;
  try {
    report = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw badInput(path, '', 'a JSON run report written by `xeno-scheduler run --report`', (error as Error).message);
  }
  try {
    return replayOf(report as ReplayableReport);
  } catch (error) {
    // replayOf's own message says what it expected and found; the file and the field go in front.
    throw badInput(path, 'replay.trace', 'a run report written by `xeno-scheduler run --report`', (error as Error).message.replace(/^replayOf: expected .*?, found /, ''));
  }
}

function badInput(file: string, path: string, expected: string, found: string): ConfigurationError {
  return new ConfigurationError([{ file, path, line: undefined, expected, found }]);
}
