import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { LearnedEstimates } from '../src/estimates/LearnedEstimates.js';
import { createRandom } from '../src/simulate/createRandom.js';
import { formatTable } from '../src/simulate/formatTable.js';
import { generateDagWorkload } from '../src/simulate/generateDagWorkload.js';
import { simulate } from '../src/simulate/simulate.js';
import type { WorkloadFileTask } from '../src/simulate/types.js';
import type { PolicyName } from '../src/types.js';
import { runMemoryHogs, type MemoryHogsRun } from '../test/support/memoryHogs.js';
import { median } from './median.js';

/** Random DAGs per policy. */
const workloads = 30;
/** σ of the log-normal factor by which declared estimates are wrong (1: a factor e is one σ). */
const declaredSigma = 1;
/** Run-to-run spread of a task's real duration while it is learned (normal, as a share of its mean). */
const runSpread = 0.2;
/** Runs learned from before the measured run. */
const learningRuns = [1, 3, 5] as const;

/** A standard normal draw (Box-Muller) from a seeded generator. */
function normal(random: () => number): number {
  return Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
}

type Tasks = Record<string, WorkloadFileTask>;

/** The workload with each task's duration fixed at its true value and the estimate `estimateOf` gives (none when undefined). */
function withEstimates(truth: Tasks, estimateOf: (name: string, seconds: number) => number | undefined): { tasks: Tasks } {
  const tasks: Tasks = {};
  for (const [name, task] of Object.entries(truth)) {
    const { estimate: seconds = 1, ...rest } = task;
    const estimate = estimateOf(name, seconds);
    tasks[name] = { ...rest, duration: seconds, ...(estimate === undefined ? {} : { estimate }) };
  }
  return { tasks };
}

/** The workload as it runs while it is learned: no estimates, each duration varying around its true value. */
function varying(truth: Tasks): { tasks: Tasks } {
  const tasks: Tasks = {};
  for (const [name, task] of Object.entries(truth)) {
    const { estimate: seconds = 1, ...rest } = task;
    tasks[name] = { ...rest, duration: { distribution: 'normal', mean: seconds, stddev: seconds * runSpread } };
  }
  return { tasks };
}

async function makespans(policy: PolicyName, seed: number): Promise<Record<string, number>> {
  const truth = generateDagWorkload({ tasks: 100, layers: 12, fanIn: 3, durationSpread: 20, seed, resourceMix: { cpu: { share: 0.4, max: 3 } } }).tasks;
  const setting = { policy, maxWorkers: 6, resources: { cpu: 6 }, seed };
  const random = createRandom(seed + 1_000_000);
  const oracle = await simulate(withEstimates(truth, (_, seconds) => seconds), setting);
  const declared = await simulate(withEstimates(truth, (_, seconds) => seconds * Math.exp(declaredSigma * normal(random))), setting);
  const none = await simulate(withEstimates(truth, () => undefined), setting);
  const result: Record<string, number> = {
    'declared (log-normal σ 1)': declared.metrics.makespanMs / oracle.metrics.makespanMs,
    'no estimates': none.metrics.makespanMs / oracle.metrics.makespanMs,
  };
  const learned = new LearnedEstimates();
  let runs = 0;
  for (const k of learningRuns) {
    while (runs < k) await simulate(varying(truth), { ...setting, seed: seed * 100 + runs++, estimates: learned });
    // The measured run plans with what was learned and teaches nothing: a copy of the statistics.
    const snapshot = new LearnedEstimates();
    snapshot.load(learned.rows().map((row) => ({ ...row, stats: row.stats.clone() })));
    const run = await simulate(withEstimates(truth, () => undefined), { ...setting, estimates: snapshot });
    result[`learned after ${k} run${k === 1 ? '' : 's'}`] = run.metrics.makespanMs / oracle.metrics.makespanMs;
  }
  return result;
}

/**
 * Real commands: 8 tasks that each hold 100 MiB for 1 s declare 0.4 GiB of a 1 GiB pool (four
 * times what they use): two run at once. After that run, the same tasks with `memory: auto` ask
 * for what the history recommends (p90 of peak + 15%), with `memoryLimit: 'enforce'`.
 */
async function memoryAuto(): Promise<{ declaredMs: number; autoMs: number; requested: number; kills: number }> {
  const learned = new LearnedEstimates();
  const kills = (run: MemoryHogsRun): number => run.records.reduce((sum, record) => sum + record.attempts - 1, 0) + run.records.filter((r) => r.status !== 'completed').length;
  const declared = await runMemoryHogs(learned, 0.4);
  const auto = await runMemoryHogs(learned, 'auto');
  return { declaredMs: declared.makespanMs, autoMs: auto.makespanMs, requested: auto.records[0]?.resources['memory'] ?? Number.NaN, kills: kills(declared) + kills(auto) };
}

/**
 * Makespan on random DAGs (100 tasks, 12 layers, 40% ask 1-3 of 6 cpu, 6 workers) with declared
 * estimates wrong by a log-normal factor (σ 1), with none, and with estimates learned after k
 * runs whose real durations vary ±20%, each as a ratio over the run given the true durations
 * (the oracle); median and worst over 30 workloads. Then the memory-auto run with real commands.
 *
 * @example
 * // npm run bench -- estimates
 * await run();
 */
export async function run(): Promise<void> {
  const started = performance.now();
  for (const policy of ['critical-path', 'shortest-first'] as const) {
    const rows = new Map<string, number[]>();
    for (let seed = 1; seed <= workloads; seed++) {
      for (const [label, ratio] of Object.entries(await makespans(policy, seed))) rows.set(label, [...(rows.get(label) ?? []), ratio]);
    }
    console.log(`\n${workloads} random DAGs, ${policy}: makespan ÷ the oracle's (true durations as estimates)`);
    console.log(
      formatTable(
        [...rows].map(([estimates, ratios]) => ({ estimates, median: median(ratios), worst: Math.max(...ratios), best: Math.min(...ratios) })),
        3,
      ),
    );
  }
  const memory = [];
  for (let round = 0; round < 3; round++) memory.push(await memoryAuto());
  console.log('\nmemory: auto, real commands (8 × 100 MiB for 1 s, declared 0.4 GiB of a 1 GiB pool), 3 rounds');
  console.log(
    formatTable(
      [
        {
          'declared (median)': `${(median(memory.map((m) => m.declaredMs)) / 1000).toFixed(2)} s`,
          'memory: auto (median)': `${(median(memory.map((m) => m.autoMs)) / 1000).toFixed(2)} s`,
          speed_up: median(memory.map((m) => m.declaredMs / m.autoMs)),
          'auto request (GiB)': median(memory.map((m) => m.requested)),
          'killed attempts': memory.reduce((sum, m) => sum + m.kills, 0),
        },
      ],
      2,
    ),
  );
  console.log(`\n${((performance.now() - started) / 1000).toFixed(1)} s`);
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await run();
}
