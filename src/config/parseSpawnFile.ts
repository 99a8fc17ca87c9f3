import { z } from 'zod';
import { ConfigurationError } from '../errors.js';
import { checkConfigVariables } from './checkConfigVariables.js';
import { checkTaskResources } from './checkTaskResources.js';
import type { XenoConfig } from './configSchema.js';
import { describeZodIssues } from './describeZodIssues.js';
import { parseYamlSource, type KeyPath } from './parseYamlSource.js';
import { resourcePool } from './resourcePool.js';
import { toWorkloadTask } from './toWorkloadTask.js';
import { withAlternatives } from './withAlternatives.js';
import { workloadSchema } from './workloadSchema.js';
import type { WorkloadTask } from './workloadTypes.js';
import { isMapping } from './isMapping.js';

/** The file's document: what a workload's `tasks:` holds. */
const spawnFileSchema = z.strictObject({ tasks: workloadSchema.shape.tasks });

/**
 * Reads what a command task wrote to its `XENO_SPAWN_FILE`: one mapping of task names to tasks,
 * in the workload's own YAML (or JSON) task shape, `race:` included. Checked as a workload's
 * tasks are (fields, resources against the configuration's pools, config variables), but its
 * dependencies may name tasks outside the file: the scheduler checks those when it spawns them.
 * Throws a ConfigurationError naming `source`, the path inside it and the line.
 *
 * @example
 * parseSpawnFile('lemma-1:\n  command: prove 1\n', 'XENO_SPAWN_FILE of task "split"', config, process.cwd());
 */
export function parseSpawnFile(text: string, source: string, config: XenoConfig, baseDir: string): WorkloadTask[] {
  const yaml = parseYamlSource(text, source);
  // No content (only comments, a bare `---`) or no tasks (`{}`) spawns nothing, as an empty file does.
  if (yaml.data === null || yaml.data === undefined || (isMapping(yaml.data) && Object.keys(yaml.data).length === 0)) return [];
  const result = spawnFileSchema.safeParse({ tasks: yaml.data });
  // Paths are the document's own: the `tasks` wrapper is ours.
  const unwrap = (problems: readonly { readonly path: KeyPath; readonly expected: string; readonly found: string; readonly hint?: string | undefined }[]) => problems.map((problem) => ({ ...problem, path: problem.path.slice(1) }));
  const { checked, atPlace } = withAlternatives(result.success ? Object.entries(result.data.tasks) : []);
  const problems = result.success
    ? [
        ...checkTaskResources(new Map(checked.map(([name, task]) => [name, task.resources])), resourcePool(config)).map(atPlace),
        ...checkConfigVariables(new Map(Object.entries(result.data.tasks).filter(([, task]) => task.command !== undefined).map(([name, task]) => [name, task.config]))),
      ]
    : describeZodIssues(result.error.issues, spawnFileSchema, { tasks: yaml.data });
  if (problems.length > 0 || !result.success) {
    // A workload's shape (`tasks:` above the tasks) is the likely slip: say so where it shows.
    const looksLikeWorkload = isMapping(yaml.data) && isMapping(yaml.data['tasks']);
    const hintOf = (path: KeyPath, hint: string | undefined) =>
      hint ?? (looksLikeWorkload && path[0] === 'tasks' ? 'the file holds one mapping of task names to tasks, not a workload: write them without `tasks:`' : undefined);
    throw new ConfigurationError(unwrap(problems).map(({ path, expected, found, hint }) => yaml.issue(path, expected, found, hintOf(path, hint))));
  }
  return Object.entries(result.data.tasks).map(([name, task]) => toWorkloadTask(name, task, config, baseDir));
}
