import type { TaskRunDescriptor, WorkloadTask } from '../config/workloadTypes.js';
import { formatTable } from '../simulate/formatTable.js';
import { TaskPriority } from '../types.js';
import type { CliIo } from './CliIo.js';
import { counted } from './counted.js';
import { escapeControlCharacters } from './escapeControlCharacters.js';
import { ExitCode } from './ExitCode.js';
import { formatAmounts } from './formatAmounts.js';
import { loadPlan, type PlanFlags } from './loadPlan.js';
import { planLevels } from './planLevels.js';

const PRIORITY_NAMES = new Map<number, string>(Object.entries(TaskPriority).map(([name, level]) => [level, name.toLowerCase()]));

function describeRun(run: TaskRunDescriptor | undefined): string {
  if (run === undefined) return 'nothing (simulation only)';
  if (run.kind === 'command') return 'command';
  return `module ${run.export}${run.worker ? ' (worker thread)' : ''}`;
}

/**
 * `xeno-scheduler validate`: checks a workload file and its configuration (the same checks
 * `run` makes before anything runs, `distributed` refused included) and prints the plan: the
 * scheduler's settings, then every task in dependency order, by level, with its priority,
 * resources, dependencies and what it runs.
 *
 * @returns {@link ExitCode.OK}; bad input throws (a ConfigurationError lists every problem)
 * @example
 * process.exitCode = validateCommand('config/examples/proof-pipeline.yaml', {}, processIo);
 */
export function validateCommand(file: string, flags: PlanFlags, io: CliIo): ExitCode {
  const { workload, options } = loadPlan(file, flags);
  const levels = planLevels(workload.tasks);
  const depth = (levels.at(-1)?.level ?? -1) + 1;
  const row = (level: number | string, task: WorkloadTask, name = escapeControlCharacters(task.name)) => ({
    level,
    task: name,
    priority: PRIORITY_NAMES.get(task.priority) ?? String(task.priority),
    resources: formatAmounts(task.resources),
    'depends on': task.dependencies.length === 0 ? '-' : escapeControlCharacters(task.dependencies.join(', ')),
    runs: task.race === undefined ? describeRun(task.run) : `race of ${task.race.length}: the first to complete wins`,
  });
  // A race's alternatives follow it, indented: they start when it is ready, as its children.
  const rows = levels.flatMap(({ level, task }) => [row(level, task), ...(task.race ?? []).map((alternative) => row('', alternative, `  ${escapeControlCharacters(alternative.name)}`))]);
  // What runs: a task, or a race's alternatives (the race itself runs nothing).
  const running = workload.tasks.flatMap((task) => task.race ?? [task]);
  const idle = running.filter((task) => task.run === undefined).length;
  const lines = [
    `${file} is valid: ${counted(workload.tasks.length, 'task')} in ${counted(depth, 'level')}`,
    `scheduler: ${options.maxWorkers} workers, policy ${options.policy}, pools ${formatAmounts(options.resources ?? {})}`,
    '',
    formatTable(rows),
    ...(idle > 0 ? ['', `${idle} of ${running.length} tasks have nothing to run: \`run\` refuses this workload, \`simulate\` replays it`] : []),
  ];
  io.stdout.write(`${lines.join('\n')}\n`);
  return ExitCode.OK;
}
