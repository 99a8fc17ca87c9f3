import { formatTable } from '../simulate/formatTable.js';
import type { RunReport } from './buildRunReport.js';
import { counted } from './counted.js';
import { describeResumedRun } from './describeResumedRun.js';
import { escapeControlCharacters } from './escapeControlCharacters.js';
import { formatSeconds } from './formatSeconds.js';

/** A distributed resume found attempts of the last run: the summary says what became of them (the line before the run could not). */
function hasReattached(summary: RunReport['summary']): boolean {
  const reattached = summary.resumed?.reattached;
  return reattached !== undefined && reattached.finished.length + reattached.running.length + reattached.gone.length > 0;
}

/**
 * The end of a run for people: a table of every task (status, attempts, time running, time
 * queued) and a line of totals, saying when the run was interrupted (with `kept`, a run kept in a
 * store: what the stop cancelled is counted as stopped, to resume). Control characters in names
 * and errors are escaped (see {@link escapeControlCharacters}).
 *
 * @example
 * process.stdout.write(formatRunSummary(report));
 * // task          status     attempts  duration ms  wait ms
 * // parse_axioms  completed         1          212        0
 * // …
 * // 14 tasks: 14 completed, 0 failed, 0 cancelled in 3.41s
 */
export function formatRunSummary({ tasks, summary }: RunReport, kept = false): string {
  // With --state, what a stop cancelled here stays pending in the store (what `status` says), and resumes.
  const resumes = kept && summary.interruptedBy !== null;
  // With a history, each cacheable task says whether it was cached or why it ran.
  const hasCache = tasks.some((task) => task.cached === true || task.ranBecause !== undefined);
  const table = formatTable(
    underParents(tasks).map(({ task, depth }) => ({
      task: `${'  '.repeat(depth)}${escapeControlCharacters(task.name)}`,
      status: task.status,
      attempts: task.attempts,
      'duration ms': task.durationMs,
      'wait ms': task.waitMs,
      ...(hasCache ? { cache: task.cached === true ? 'cached' : escapeControlCharacters(task.ranBecause === undefined ? '-' : `ran: ${task.ranBecause}`) } : {}),
    })),
  );
  const counts = `${summary.completed} completed${summary.cached > 0 ? ` (${summary.cached} cached)` : ''}, ${summary.failed} failed, ${summary.cancelled} ${resumes ? 'stopped' : 'cancelled'}`;
  // After the time the run took, so that it never reads as a countdown.
  const resumeHint = resumes && summary.cancelled > 0 ? '; run the same command again to resume them' : '';
  const unfinished = summary.unfinished > 0 ? `, ${summary.unfinished} unfinished` : '';
  // Not a parent that waited for its children: its work had returned, nothing of it ran.
  const stopped = tasks.filter((task) => task.stoppedRunning === true).length;
  const interrupted =
    summary.interruptedBy === null ? '' : `interrupted by ${summary.interruptedBy}: ${counted(stopped, 'running task')} stopped (${stopped === 1 ? 'its' : 'their'} processes killed), the rest ${resumes ? 'left pending' : 'cancelled'}\n`;
  const failures = tasks.filter((task) => task.status === 'failed').map((task) => `${escapeControlCharacters(`${task.name} failed: ${task.error ?? 'unknown error'}`)}\n`);
  return `${table}\n\n${failures.join('')}${backupsLine(tasks)}${interrupted}${hasReattached(summary) ? `${describeResumedRun(summary.resumed as NonNullable<typeof summary.resumed>)}\n` : ''}${counted(summary.total, 'task')}: ${counts}${unfinished} in ${formatSeconds(summary.elapsedMs)}${resumeHint}\n`;
}

/** With `--speculate`: how many stragglers got a backup copy, and which won (a backup never fails the run). */
function backupsLine(tasks: RunReport['tasks']): string {
  const backedUp = tasks.filter((task) => task.backup !== undefined);
  if (backedUp.length === 0) return '';
  const won = backedUp.filter((task) => task.backup === 'won').map((task) => escapeControlCharacters(task.name));
  return `${counted(backedUp.length, 'straggler')} backed up; ${won.length === 0 ? 'no backup won' : `the backup won for ${won.join(', ')}`}\n`;
}

/**
 * The tasks in the report's order, each task's children (spawned, or its race's alternatives)
 * right under it, indented by their depth.
 */
function underParents(tasks: RunReport['tasks']): { task: RunReport['tasks'][number]; depth: number }[] {
  const names = new Set(tasks.map((task) => task.name));
  const children = new Map<string, RunReport['tasks'][number][]>();
  for (const task of tasks) {
    if (task.parent !== undefined && names.has(task.parent)) children.set(task.parent, [...(children.get(task.parent) ?? []), task]);
  }
  const ordered: { task: RunReport['tasks'][number]; depth: number }[] = [];
  const visit = (task: RunReport['tasks'][number], depth: number): void => {
    ordered.push({ task, depth });
    for (const child of children.get(task.name) ?? []) visit(child, depth + 1);
  };
  for (const task of tasks) if (task.parent === undefined || !names.has(task.parent)) visit(task, 0);
  return ordered;
}
