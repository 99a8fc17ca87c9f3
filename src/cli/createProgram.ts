import { Command, Option } from 'commander';
import { POLICY_NAMES } from '../policies/resolvePolicy.js';
import type { CliIo } from './CliIo.js';
import type { ExitCode } from './ExitCode.js';
import { machinesCommand, type MachinesFlags } from './machinesCommand.js';
import { parseIntegerOption } from './parseIntegerOption.js';
import { parsePolicyList } from './parsePolicyList.js';
import { parsePortOption } from './parsePortOption.js';
import { readPackageVersion } from './readPackageVersion.js';
import { runCommand, type RunFlags } from './runCommand.js';
import { simulateCommand, type SimulateFlags } from './simulateCommand.js';
import { validateCommand } from './validateCommand.js';
import type { PlanFlags } from './loadPlan.js';

const configOption = (): Option => new Option('--config <file>', "configuration file to use instead of the workload's own `config`");
const policyOption = (description: string): Option => new Option('--policy <name>', description).choices(POLICY_NAMES);

/**
 * The `xeno-scheduler` command line: `run`, `validate`, `simulate` and `machines`, each with
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
    .configureOutput({ writeOut: (text) => io.stdout.write(text), writeErr: (text) => io.stderr.write(text) })
    .showHelpAfterError('(add --help for usage)')
    .addHelpText('after', '\nExit codes: 0 every task completed, 1 a task did not, 2 bad input, 130 interrupted (Ctrl-C).');

  program
    .command('run')
    .description('Run a workload: every task with live progress, then a summary table.')
    .argument('<workload>', 'workload YAML file (a `tasks` mapping by name)')
    .addOption(configOption())
    .option('--max-workers <n>', 'most tasks running at once (overrides task_scheduler.max_workers)', parseIntegerOption(1))
    .addOption(policyOption('scheduling policy (overrides priority_scheduler.policy)'))
    .option('--json', 'print only one JSON document on stdout, at the end; progress goes to stderr')
    .option('-q, --quiet', 'print no progress, only the summary')
    .option('--report <file>', 'also write the JSON document to a file')
    .option('--dashboard', 'serve the live dashboard while the run lasts and print its URL')
    .option('--port <n>', 'dashboard port (0: a free one)', parseIntegerOption(0), 0)
    .option('--host <host>', 'dashboard interface; anything but loopback needs --token', '127.0.0.1')
    .option('--token <token>', 'dashboard access token (at least 16 characters)')
    .option('--keep-open', 'keep the dashboard and the metrics endpoint up after the run until Ctrl-C (implies --dashboard without --metrics-port)')
    .option('--metrics-port <port>', 'serve the metrics in the Prometheus text format at http://<metrics-host>:<port>/metrics while the run lasts (0: a free one)', parsePortOption)
    .option('--metrics-host <host>', 'interface of the metrics endpoint', '127.0.0.1')
    .addHelpText(
      'after',
      '\nCtrl-C (or SIGTERM) cancels the running tasks, kills their processes, prints what was done and exits 130.\n' +
        'Example:\n  xeno-scheduler run config/examples/proof-pipeline.yaml --max-workers 2 --report report.json',
    )
    .action(async (file: string, flags: RunFlags) => setExitCode(await runCommand(file, flags, io)));

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
    .argument('<workload>', 'workload YAML file; each task needs an `estimate` or a `duration`')
    .addOption(configOption())
    .addOption(policyOption('policy to simulate (default: priority_scheduler.policy)'))
    .option('--compare <policies>', `more policies to compare, comma-separated (${POLICY_NAMES.join(', ')})`, parsePolicyList)
    .option('--workers <n>', 'worker slots (overrides task_scheduler.max_workers)', parseIntegerOption(1))
    .option('--seed <n>', 'seed of the random durations', parseIntegerOption(0), 0)
    .option('--trace <file>', 'write the trace of the --policy run as JSON')
    .option('--svg <file>', 'write the timeline of the --policy run as an SVG Gantt chart')
    .option('--json', 'print one JSON document instead of the table')
    .addHelpText('after', '\nExample:\n  xeno-scheduler simulate config/examples/simulation-dag.yaml --policy fifo --compare critical-path,priority')
    .action(async (file: string, flags: Omit<SimulateFlags, 'maxWorkers'> & { workers?: number }) => {
      const { workers, ...rest } = flags;
      setExitCode(await simulateCommand(file, { ...rest, maxWorkers: workers }, io));
    });

  program
    .command('machines')
    .description('List the statecharts and actor logics of the scheduler; --json for the Stately editor.')
    .option('--json', 'print every machine as JSON (config and resolved definition)')
    .action((flags: MachinesFlags) => setExitCode(machinesCommand(flags, io)));

  return program;
}
