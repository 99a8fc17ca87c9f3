import { spawnSync } from 'node:child_process';

/**
 * Runs `promtool check metrics` on a page: Prometheus' own linter of the text format. The test
 * first calls `skipWithout(context, 'promtool')`, which gives the path.
 */
export function promtoolCheck(promtool: string, page: string): { status: number | null; output: string } {
  const result = spawnSync(promtool, ['check', 'metrics'], { input: page, encoding: 'utf8' });
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}

/** The value of one sample line, e.g. `xeno_scheduler_tasks_finished_total{task_status="failed"}`. */
export function sample(page: string, name: string, labels: Record<string, string> = {}): number | undefined {
  for (const line of page.split('\n')) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
    if (!Object.entries(labels).every(([key, value]) => line.includes(`${key}="${value}"`))) continue;
    return Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return undefined;
}
