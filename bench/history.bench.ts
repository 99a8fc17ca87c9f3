/**
 * Incremental runs' cost (issue 21): 1,000 cacheable tasks each reading a 1 MB input, run with a
 * history first cold (every task keyed, run and stored) and then unchanged (every task keyed and
 * looked up, none run), against the same run without a history; what keying (hashing the inputs)
 * and a lookup cost per task; and the proof-pipeline example's unchanged rerun against its first
 * run. Medians of REPEATS runs. Run directly with `node --expose-gc --import tsx bench/history.bench.ts`
 * (`… history.bench.ts usage`: only what learning the usage of 20,000 tasks costs).
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../src/cli/main.js';
import type { CliIo } from '../src/cli/CliIo.js';
import { createScheduler } from '../src/core/createScheduler.js';
import { keyOf, keyPartsOf } from '../src/history/cacheKey.js';
import { toCachePlan } from '../src/history/TaskCachePlan.js';
import { sqliteHistory } from '../src/stores/sqlite/sqliteHistory.js';
import type { RunHistory } from '../src/history/RunHistory.js';
import type { TaskContext, TaskSpec } from '../src/types.js';
import { median } from './median.js';

const TASKS = 1000;
const INPUT_BYTES = 1 << 20;
const REPEATS = 3;

function gc(): void {
  (globalThis as { gc?: () => void }).gc?.();
}

/** The work: read its input (as a real task would) and report its size. */
const readInput = ({ config }: TaskContext<{ path: string }>): number => readFileSync(config.path).byteLength;

function specs(folder: string): TaskSpec<any>[] {
  return Array.from({ length: TASKS }, (_, i) => ({
    id: `t${i}`,
    config: { path: join(folder, 'in', `${i}.bin`) },
    inputs: [`in/${i}.bin`],
    baseDir: folder,
    run: readInput,
  }));
}

async function timedRun(folder: string, history: RunHistory | undefined): Promise<{ ms: number; cached: number }> {
  gc();
  const scheduler = createScheduler({ maxWorkers: 4, ...(history === undefined ? {} : { history }) });
  const start = performance.now();
  scheduler.scheduleTasks(specs(folder));
  await scheduler.onIdle();
  const ms = performance.now() - start;
  const cached = scheduler.listTasks().filter((task) => task.cached).length;
  await scheduler.stop();
  return { ms, cached };
}

async function thousandInputs(): Promise<void> {
  const folder = mkdtempSync(join(tmpdir(), 'xeno-history-bench-'));
  try {
    mkdirSync(join(folder, 'in'));
    for (let i = 0; i < TASKS; i++) writeFileSync(join(folder, 'in', `${i}.bin`), randomBytes(INPUT_BYTES));
    const plain: number[] = [];
    const first: number[] = [];
    const rerun: number[] = [];
    const hashing: number[] = [];
    const lookup: number[] = [];
    for (let r = 0; r < REPEATS; r++) {
      plain.push((await timedRun(folder, undefined)).ms);
      const file = join(folder, `h${r}.db`);
      const history = sqliteHistory(file);
      first.push((await timedRun(folder, history)).ms);
      const warm = await timedRun(folder, history);
      if (warm.cached !== TASKS) throw new Error(`expected ${TASKS} cached tasks, found ${warm.cached}`);
      rerun.push(warm.ms);
      // Keying alone (every input read and hashed), then lookups alone.
      const tasks = specs(folder).map((spec) => ({ id: spec.id as string, name: spec.id as string, type: 'generic', config: spec.config, cache: toCachePlan(spec, readInput as never, 'bench')! }));
      let start = performance.now();
      const keys = tasks.map((task) => keyOf(keyPartsOf(task, {}, process.env)));
      hashing.push((performance.now() - start) / TASKS);
      start = performance.now();
      for (const key of keys) history.cache.get(key, Date.now());
      lookup.push((performance.now() - start) / TASKS);
      history.close();
    }
    const ms = (value: number): string => `${value.toFixed(0)} ms`;
    console.log(`\nhistory: ${TASKS} cacheable tasks, each reading a ${INPUT_BYTES / (1 << 20)} MiB input (median of ${REPEATS})`);
    console.log(`  without a history            ${ms(median(plain))}`);
    console.log(`  first run, history cold      ${ms(median(first))}  (${(median(first) / median(plain)).toFixed(2)}x the run without)`);
    console.log(`  unchanged rerun, all cached  ${ms(median(rerun))}  (${(median(rerun) / median(first)).toFixed(2)}x the first run)`);
    console.log(`  keying (read + SHA-256 of 1 MiB) ${median(hashing).toFixed(3)} ms/task; lookup ${(median(lookup) * 1000).toFixed(0)} µs/task`);
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
}

/** The CLI in this process, quietly; resolves with the wall time. */
async function timedCli(args: string[]): Promise<number> {
  const sink = { write: () => true } as unknown as NodeJS.WritableStream;
  const io: CliIo = { stdout: sink, stderr: sink };
  const start = performance.now();
  const code = await main(['node', 'xeno-scheduler', ...args], io);
  if (code !== 0) throw new Error(`xeno-scheduler ${args.join(' ')} exited ${code}`);
  return performance.now() - start;
}

async function examplePipeline(): Promise<void> {
  const folder = mkdtempSync(join(tmpdir(), 'xeno-history-bench-'));
  try {
    const first: number[] = [];
    const rerun: number[] = [];
    for (let r = 0; r < REPEATS; r++) {
      const args = ['run', 'config/examples/proof-pipeline.yaml', '--history', join(folder, `p${r}.db`), '-q'];
      first.push(await timedCli(args));
      rerun.push(await timedCli(args));
    }
    console.log(`\nhistory: the proof-pipeline example (15 tasks), median of ${REPEATS}`);
    console.log(`  first run         ${median(first).toFixed(0)} ms`);
    console.log(`  unchanged rerun   ${median(rerun).toFixed(0)} ms  (${(median(rerun) / median(first)).toFixed(3)}x)`);
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
}

const USAGE_TASKS = 20_000;
const USAGE_ROUNDS = 5;

/** CPU µs per task of USAGE_TASKS no-op inline tasks on 4 workers, each attempt teaching `history` (none: nothing learned). */
async function usageRun(history: RunHistory | undefined): Promise<number> {
  gc();
  const scheduler = createScheduler({ maxWorkers: 4, ...(history === undefined ? {} : { history }) });
  const tasks: TaskSpec[] = Array.from({ length: USAGE_TASKS }, (_, i) => ({ id: `t${i}`, runs: `noop ${i}`, run: () => undefined }));
  const cpu = process.cpuUsage();
  scheduler.scheduleTasks(tasks);
  await scheduler.onIdle();
  await scheduler.stop();
  // The learned usage that is still pending is written by close: part of the cost.
  history?.close();
  const used = process.cpuUsage(cpu);
  return (used.user + used.system) / USAGE_TASKS;
}

/**
 * What learning costs a run with a history: every attempt that ends writes its task's usage row
 * and its type's. 20,000 no-op inline tasks on 4 workers, without a history and with a new one,
 * in interleaved rounds; CPU µs per task (user + system, close included), medians.
 */
async function learnedUsageWrites(): Promise<void> {
  const folder = mkdtempSync(join(tmpdir(), 'xeno-usage-bench-'));
  try {
    const none: number[] = [];
    const learning: number[] = [];
    for (let r = 0; r < USAGE_ROUNDS; r++) {
      none.push(await usageRun(undefined));
      const file = join(folder, `u${r}.db`);
      learning.push(await usageRun(sqliteHistory(file)));
      const check = sqliteHistory(file);
      const rows = check.usage.list().length;
      check.close();
      // Every task's row and the type's.
      if (rows !== USAGE_TASKS + 1) throw new Error(`expected ${USAGE_TASKS + 1} usage rows, found ${rows}`);
    }
    console.log(`\nhistory: learned usage of ${USAGE_TASKS} no-op inline tasks on 4 workers, CPU per task (median of ${USAGE_ROUNDS} interleaved rounds)`);
    console.log(`  without a history   ${median(none).toFixed(1)} µs`);
    console.log(`  with a history      ${median(learning).toFixed(1)} µs  (${(median(learning) / median(none)).toFixed(2)}x; ratio of medians)`);
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
}

export async function run(): Promise<void> {
  await learnedUsageWrites();
  await thousandInputs();
  await examplePipeline();
}

// Run directly, `usage` measures the learned-usage writes alone.
if (import.meta.url === `file://${process.argv[1]}`) {
  if (process.argv[2] === 'usage') await learnedUsageWrites();
  else await run();
}
