/**
 * The durable store's cost: 50k no-op tasks through the SQLite store against the in-memory
 * default (issue 24's row; a warm-up of both, then 5 interleaved rounds), the file's bytes per
 * task, and how long a scheduler takes to recover a 100k-task store (finished, half-finished, all
 * pending; issue 9). Run directly with
 * `node --expose-gc --import tsx bench/store.bench.ts [N for the throughput] [N for recovery]`.
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createScheduler } from '../src/core/createScheduler.js';
import { sqliteStore } from '../src/stores/sqlite/sqliteStore.js';
import type { TaskPriority } from '../src/types.js';

const WORKERS = 4;
const handlers = { noop: async (): Promise<void> => {} };
const priorityOf = (i: number): TaskPriority => ((i % 5) + 1) as TaskPriority;
const specs = (n: number) => Array.from({ length: n }, (_, i) => ({ id: `t${i}`, type: 'noop', priority: priorityOf(i) }));
const options = { maxWorkers: WORKERS, maxFinishedRecords: 1000, defaultRetry: { attempts: 1 }, handlers };

function gc(): void {
  (globalThis as { gc?: () => void }).gc?.();
}

function fileBytes(file: string): number {
  let bytes = 0;
  for (const suffix of ['', '-wal']) {
    try {
      bytes += statSync(`${file}${suffix}`).size;
    } catch {
      // no WAL file left after a clean close
    }
  }
  return bytes;
}

/** Wall and CPU ms of n no-op tasks, with a SQLite store in `file` or none. */
async function throughput(n: number, file: string | undefined): Promise<{ ms: number; cpuMs: number }> {
  gc();
  const store = file === undefined ? undefined : sqliteStore(file);
  const scheduler = createScheduler({ ...options, ...(store ? { store } : {}) });
  const cpu = process.cpuUsage();
  const start = performance.now();
  scheduler.scheduleTasks(specs(n));
  await scheduler.onIdle();
  const ms = performance.now() - start;
  const used = process.cpuUsage(cpu);
  await scheduler.stop();
  store?.close();
  return { ms, cpuMs: (used.user + used.system) / 1000 };
}

/** Writes a store of n tasks of which `done` completed and the rest are pending, as a crash leaves it. */
async function storeWith(file: string, n: number, done: number): Promise<void> {
  const store = sqliteStore(file);
  const scheduler = createScheduler({ ...options, store, autoStart: false });
  scheduler.scheduleTasks(specs(n));
  for (let i = 0; i < done; i++) scheduler.executeTask(`t${i}`) || (await scheduler.waitForTask(`t${i - 1}`), scheduler.executeTask(`t${i}`));
  if (done > 0) await scheduler.waitForTask(`t${done - 1}`);
  await scheduler.stop({ graceMs: 0 });
  store.close();
}

async function recovery(file: string): Promise<{ ms: number; live: number }> {
  gc();
  const start = performance.now();
  const store = sqliteStore(file);
  const scheduler = createScheduler({ ...options, store, autoStart: false });
  await Promise.resolve();
  const ms = performance.now() - start;
  const { pending, running } = scheduler.getStats();
  await scheduler.stop({ graceMs: 0 });
  store.close();
  return { ms, live: pending + running };
}

/** For comparison: scheduling n tasks at once creates the same live actors a recovery does. */
async function admission(n: number): Promise<number> {
  gc();
  const scheduler = createScheduler({ ...options, autoStart: false });
  const start = performance.now();
  scheduler.scheduleTasks(specs(n));
  const ms = performance.now() - start;
  await scheduler.stop({ graceMs: 0 });
  return ms;
}

const median = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] as number;
const rate = (n: number, ms: number): number => Math.round((n / ms) * 1000);

/** Prints the tables of issue 24's and issue 9's figures; returns throughput with the store over without, by wall and by CPU time. */
export async function run(throughputN = 50_000, n = 100_000): Promise<{ wall: number; cpu: number }> {
  const folder = mkdtempSync(join(tmpdir(), 'xeno-bench-store-'));
  try {
    const rounds = 5;
    console.log(`\n## Durable store (SQLite, WAL, synchronous=NORMAL): ${throughputN.toLocaleString('en')} no-op tasks, maxWorkers ${WORKERS}; medians of ${rounds} interleaved rounds`);
    await throughput(Math.min(throughputN, 5000), undefined);
    await throughput(Math.min(throughputN, 5000), join(folder, 'warm-up.db'));
    const memory: { ms: number; cpuMs: number }[] = [];
    const sqlite: { ms: number; cpuMs: number }[] = [];
    let bytes = 0;
    for (let round = 0; round < rounds; round++) {
      memory.push(await throughput(throughputN, undefined));
      const file = join(folder, `run-${round}.db`);
      sqlite.push(await throughput(throughputN, file));
      bytes = fileBytes(file);
      rmSync(file, { force: true });
    }
    const m = median(memory.map((run) => run.ms));
    const s = median(sqlite.map((run) => run.ms));
    const cpu = median(memory.map((run) => run.cpuMs)) / median(sqlite.map((run) => run.cpuMs));
    console.log('| store | tasks/s | vs in-memory | bytes per task |');
    console.log('|---|---|---|---|');
    console.log(`| in-memory (none) | ${rate(throughputN, m)} | 1.00 | – |`);
    console.log(`| SQLite | ${rate(throughputN, s)} | ${(m / s).toFixed(2)} | ${Math.round(bytes / throughputN)} |`);
    console.log(`  rounds, SQLite / none: ${sqlite.map((run, i) => ((memory[i]?.ms as number) / run.ms).toFixed(2)).join(' / ')}; by CPU time (medians): ${cpu.toFixed(2)}`);

    console.log(`\nRecovery: createScheduler on a ${n.toLocaleString('en')}-task store until the run is rebuilt (load, fold, actors); medians of 3`);
    console.log('| store holds | live tasks rebuilt | recovery ms |');
    console.log('|---|---|---|');
    const finished = join(folder, 'finished.db');
    await throughput(n, finished);
    const half = join(folder, 'half.db');
    const pending = join(folder, 'pending.db');
    await storeWith(half, n, Math.floor(n / 2));
    await storeWith(pending, n, 0);
    for (const [label, file] of [['all finished', finished], ['half finished, half pending', half], ['all pending', pending]] as const) {
      const rounds = [await recovery(file), await recovery(file), await recovery(file)];
      console.log(`| ${label} | ${rounds[0]?.live.toLocaleString('en')} | ${Math.round(median(rounds.map((r) => r.ms)))} |`);
    }
    const admitted = [await admission(n), await admission(n), await admission(n)];
    console.log(`| (no store: scheduleTasks of ${n.toLocaleString('en')} new tasks, for comparison) | ${n.toLocaleString('en')} | ${Math.round(median(admitted))} |`);
    return { wall: m / s, cpu };
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const [throughputN, n] = [Number(process.argv[2]), Number(process.argv[3])];
  await run(throughputN > 0 ? throughputN : undefined, n > 0 ? n : undefined);
}
