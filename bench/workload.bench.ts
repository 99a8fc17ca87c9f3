/**
 * `npm run bench -- workload`: how long `parseWorkload` (what `validate` and `run` do before
 * anything runs) takes for 5k, 20k and 40k tasks, and the time per task, which stays flat when
 * loading is linear. Each task has a command, a resource request and (nine in ten) a dependency.
 */
import { parseWorkload } from '../src/config/parseWorkload.js';
import { median } from './median.js';

const SIZES = [5_000, 20_000, 40_000] as const;
const RUNS = 3;

/** A workload of `count` tasks in chains of ten (the default max_dependency_depth allows them). */
function workloadText(count: number): string {
  const lines = ['tasks:'];
  for (let i = 0; i < count; i++) {
    lines.push(`  t${i}:`, '    command: "true"', '    resources: { cpu: 1 }');
    if (i % 10 !== 0) lines.push(`    dependencies: [t${i - 1}]`);
  }
  return `${lines.join('\n')}\n`;
}

export async function run(): Promise<void> {
  console.log('\nworkload loading (parseWorkload: YAML, schema, dependencies, resources)');
  let first: number | undefined;
  for (const size of SIZES) {
    const text = workloadText(size);
    const times: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      const start = performance.now();
      parseWorkload(text, 'bench.yaml', { env: {} });
      times.push(performance.now() - start);
    }
    const ms = median(times);
    const perTask = (ms * 1000) / size;
    first ??= perTask;
    console.log(
      `  ${String(size).padStart(6)} tasks (${(text.length / 1e6).toFixed(1)} MB): median ${ms.toFixed(0)} ms of ${RUNS}, ` +
        `${perTask.toFixed(1)} µs per task, ${(perTask / first).toFixed(2)}× the per-task time at ${SIZES[0]}`,
    );
  }
}
