import { spawnSync } from 'node:child_process';

/** Where Debian's prometheus package puts promtool. */
export const PROMTOOL = '/usr/bin/promtool';
/** Why a promtool check is skipped. */
export const SKIP_REASON = `${PROMTOOL} is absent: install Debian's prometheus (apt-get install -y --no-install-recommends prometheus) to check the page with a real consumer`;

/** Runs `promtool check metrics` on a page: Prometheus' own linter of the text format. */
export function promtoolCheck(page: string): { status: number | null; output: string } {
  const result = spawnSync(PROMTOOL, ['check', 'metrics'], { input: page, encoding: 'utf8' });
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
