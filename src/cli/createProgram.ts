import { Command, Option } from 'commander';
import { ConfigurationError } from '../errors.js';
import { POLICY_NAMES } from '../policies/resolvePolicy.js';
import type { CliIo } from './CliIo.js';
import type { ExitCode } from './ExitCode.js';
import { historyCommand, type HistoryFlags } from './historyCommand.js';
import { machinesCommand, type MachinesFlags } from './machinesCommand.js';
import { parseAge, parseSize } from './parseHistoryLimits.js';
import { parseIntegerOption } from './parseIntegerOption.js';
import { parseSpeculateOption } from './parseSpeculateOption.js';
import { parsePolicyList } from './parsePolicyList.js';
import { parsePortOption } from './parsePortOption.js';
import { readPackageVersion } from './readPackageVersion.js';
import { runCommand, type RunFlags } from './runCommand.js';
import { simulateCommand, type SimulateFlags } from './simulateCommand.js';
import { statusCommand } from './statusCommand.js';
import { validateCommand } from './validateCommand.js';
import { parseResources, workerCommand, type WorkerFlags } from './workerCommand.js';
import type { PlanFlags } from './loadPlan.js';

const configOption = (): Option => new Option('--config <file>', "configuration file to use instead of the workload's own `config`");
const policyOption = (description: string): Option => new Option('--policy <name>', description).choices(POLICY_NAMES);

/**
 * `simulate --workers`, the old name of `--max-workers` (which `run` has): still taken, with a
 * warning; refused beside `--max-workers`.
 */
function oldWorkersFlag(workers: number | undefined, maxWorkers: number | undefined, io: CliIo): number | undefined {
  if (workers === undefined) return maxWorkers;
  if (maxWorkers !== undefined) {
    throw new ConfigurationError([{ file: '<command line>', path: '--workers', line: undefined, expected: '--max-workers alone (--workers is its old name)', found: `--workers ${workers} and --max-workers ${maxWorkers}` }]);
  }
  io.stderr.write('warning: --workers is now --max-workers, as in `run`; the old name will be removed\n');
  return workers;
}

/**
 * The `xeno-scheduler` command line: `run`, `worker`, `validate`, `simulate` and `machines`, each with
 * `--help`. Commander reports its own usage errors and throws (exitOverride); each command's
 * action hands its exit code to `setExitCode`.
 *
 * @example
 * let code = 0;
 * await createProgram(processIo, (exitCode) => (code = exitCode)).parseAsync(process.argv);
 */
export function createProgram(io: CliIo, setExitCode: (code: ExitCode) => void): Command {
  const program = new Command('xeno-scheduler');
  program
    .description('Run, check and simulate task workloads on the xeno-scheduler (XState v5) scheduler.')
    .version(readPackageVersion())
    .exitOverride()
    // Usage errors are thrown (exitOverride) and printed by reportError in the format of every other bad input.
    .configureOutput({ writeOut: (text) => io.stdout.write(text), writeErr: (text) => io.stderr.write(text), outputError: () => undefined })
    .addHelpText('after', '\nExit codes: 0 every task completed, 1 a task did not, 2 bad input, 130 interrupted (Ctrl-C).');

  program
    .command('run')
    .description('Run a workload: every task with live progress, then a summary table.')
    .argument('<workload>', 'workload YAML file (a `tasks` mapping by name)')
    .addOption(configOption())
    .option('--max-workers <n>', 'most tasks running at once (overrides task_scheduler.max_workers)', parseIntegerOption(1))
    .addOption(policyOption('scheduling policy (overrides priority_scheduler.policy)'))
    .option('--speculate <multiple>', 'back up a straggling idempotent task once it has run <multiple> times its learned p90 (else its estimate), when a worker is free; the first copy to succeed wins (overrides scheduler.speculate)', parseSpeculateOption)
    .option('--json', 'print only one JSON document on stdout, at the end; progress goes to stderr')
    .option('-q, --quiet', 'print no progress, only the summary')
    .option('--report <file>', 'also write the JSON document to a file (not the workload, its configuration or the --state file)')
    .option('--dashboard', 'serve the live dashboard while the run lasts and print its URL')
    .option('--port <port>', 'with --dashboard: its port (default: 0, a free one)', parsePortOption)
    .option('--host <host>', 'with --dashboard: its interface; anything but loopback needs --token (default: "127.0.0.1")')
    .option('--token <token>', 'with --dashboard: its access token (at least 16 characters)')
    .option('--public-origin <origin>', 'with --dashboard: the origin a reverse proxy serves it at, e.g. https://sched.example.org (its page may then act)')
    .option('--trust-proxy', "with --dashboard: take the page's scheme from the proxy's Forwarded / X-Forwarded-Proto header (only behind a proxy that sets it)")
    .option('--keep-open', 'keep the dashboard and the metrics endpoint up after the run until Ctrl-C (implies --dashboard without --metrics-port)')
    .option('--metrics-port <port>', 'serve the metrics in the Prometheus text format at http://<metrics-host>:<port>/metrics while the run lasts (0: a free one)', parsePortOption)
    .option('--metrics-host <host>', 'with --metrics-port: the interface of the metrics endpoint (default: "127.0.0.1")')
    .option('--metrics-allowed-hosts <names>', 'with --metrics-port: comma-separated host names a scraper may use besides loopback names and IP addresses')
    .option('--state <file>', 'journal the run in this SQLite file; run the same command again to resume it after a crash or Ctrl-C (a workload that conflicts with the stored run, a command changed on a task that already ran included, is refused with the differences)')
    .option('--fresh', 'with --state: discard the stored run and start over')
    .option('--history <file>', 'keep what runs learn in this SQLite file: cached results of cacheable tasks (those with `inputs`; an unchanged task completes without running) and measured durations and memory (tasks without an estimate are planned with them) (default: the XENO_HISTORY variable, then scheduler.history); independent of --state')
    .addHelpText(
      'after',
      '\nCtrl-C (or SIGTERM, SIGHUP) cancels the running tasks, kills their processes (SIGTERM, then SIGKILL after 2 s\n' +
        'to what is left), prints what was done and exits 130; a second Ctrl-C kills them at once. With --state the store\n' +
        'keeps the run as it was: the same command resumes it, and an attempt the Ctrl-C cut short starts again, not counted.\n' +
        "A resumed run's durations count what this process saw: an attempt that was running when the earlier one stopped counts from the resume.\n" +
        'Run again on a finished store, it runs nothing and says so, exiting as that run ended (0 if every task completed, else 1);\n' +
        '--fresh runs the workload again from the start.\n' +
        'Example:\n  xeno-scheduler run config/examples/proof-pipeline.yaml --max-workers 2 --report report.json',
    )
    .action(async (file: string, flags: RunFlags) => setExitCode(await runCommand(file, flags, io)));

  program
    .command('status')
    .description('Print a run stored with `run --state`: tasks by state, and what was running when it stopped.')
    .argument('<state>', 'the SQLite file given to run --state')
    .option('--json', 'print the stored tasks as one JSON document')
    .action((file: string, flags: { json?: boolean }) => setExitCode(statusCommand(file, flags, io)));

  program
    .command('history')
    .description('Print what a history file (run --history) holds: cached results (task, key, size, last used), learned estimates (runs, duration, peak memory, CPU, recommendation); --prune to shrink it, --recommend for requests as YAML.')
    .argument('<history>', 'the SQLite file given to run --history')
    .option('--json', 'print one JSON document')
    .option('--prune', 'remove entries: not used for --older-than, then the least recently used past --max-size (the newest are kept)')
    .option('--older-than <age>', 'with --prune: entries not used for this long, e.g. 30d, 12h, 90m', parseAge)
    .option('--max-size <size>', 'with --prune: keep at most this much, e.g. 100MB, 1.5GB', parseSize)
    .option('--recommend', 'print the estimates and requests (memory, cpu) learned for each task, as a YAML fragment of a workload\'s tasks')
    .addHelpText('after', '\nExamples:\n  xeno-scheduler history h.db\n  xeno-scheduler history h.db --prune --older-than 30d --max-size 100MB')
    .action((file: string, flags: HistoryFlags) => setExitCode(historyCommand(file, flags, io)));

  program
    .command('worker')
    .description('Serve a node of a distributed run: take its jobs (command and module tasks) until Ctrl-C.')
    .requiredOption('--node <name>', 'the node to serve (one of the coordinator\'s distributed_scheduler.nodes)')
    .option('--redis <url>', 'the coordinator\'s Redis (default: the XENO_REDIS_URL variable)')
    .option('--concurrency <n>', 'jobs run at once', parseIntegerOption(1), 1)
    .option('--resources <list>', 'what this worker offers, for resource_aware, e.g. cpu=4,gpu=1', parseResources)
    .option('--lock-duration <ms>', 'how long a job\'s lock lasts: a killed worker\'s job runs elsewhere after about this long', parseIntegerOption(100))
    .addHelpText('after', '\nExample:\n  xeno-scheduler worker --redis redis://10.0.0.5:6379 --node node1 --concurrency 4')
    .action(async (flags: WorkerFlags) => setExitCode(await workerCommand(flags, io)));

  program
    .command('validate')
    .description('Check a workload and its configuration and print the plan: tasks in dependency order.')
    .argument('<workload>', 'workload YAML file')
    .addOption(configOption())
    .addHelpText('after', '\nExits 2 and lists every problem when the files are invalid.')
    .action((file: string, flags: PlanFlags) => setExitCode(validateCommand(file, flags, io)));

  program
    .command('simulate')
    .description("Replay a workload under a simulated clock and print each policy's metrics side by side.")
    .argument('[workload]', 'workload YAML file; each task needs an `estimate` or a `duration` and runs once for it (timeouts and retries are not simulated; not with --replay)')
    .option('--replay <report>', 'replay a real run from its `run --report` file, with its measured durations, beside the real run (not a run resumed with --state)')
    .addOption(configOption())
    .addOption(policyOption('policy to simulate (default: priority_scheduler.policy)'))
    .option('--compare <policies>', `more policies to compare, comma-separated (${POLICY_NAMES.join(', ')})`, parsePolicyList)
    .option('--max-workers <n>', 'worker slots (overrides task_scheduler.max_workers)', parseIntegerOption(1))
    .addOption(new Option('--workers <n>', 'the old name of --max-workers').argParser(parseIntegerOption(1)).hideHelp())
    .option('--seed <n>', 'seed of the random durations', parseIntegerOption(0), 0)
    .option('--speculate <multiple>', 'back up an idempotent task once it has run <multiple> times its estimate, when a worker is free; each policy is shown without and with it', parseSpeculateOption)
    .option('--trace <file>', 'write the trace of the --policy run as JSON (not an input file; checked before simulating)')
    .option('--svg <file>', 'write the timeline of the --policy run as an SVG Gantt chart (not an input file; checked before simulating)')
    .option('--json', 'print one JSON document instead of the table')
    .option('--history <file>', 'plan tasks that declare no estimate with the estimates learned in this history file (run --history); read only')
    .addHelpText(
      'after',
      '\nExamples:\n  xeno-scheduler simulate config/examples/simulation-dag.yaml --policy fifo --compare critical-path,priority\n' +
        '  xeno-scheduler simulate --replay run.json --compare fifo,priority,critical-path',
    )
    .action(async (file: string | undefined, flags: SimulateFlags & { workers?: number }) => {
      const { workers, ...rest } = flags;
      setExitCode(await simulateCommand(file, { ...rest, maxWorkers: oldWorkersFlag(workers, rest.maxWorkers, io) }, io));
    });

  program
    .command('machines')
    .description('List the statecharts and actor logics of the scheduler; --json for the Stately editor.')
    .option('--json', 'print every machine as JSON (config and resolved definition)')
    .action((flags: MachinesFlags) => setExitCode(machinesCommand(flags, io)));

  return program;
}
