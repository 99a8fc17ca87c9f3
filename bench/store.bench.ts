/**
 * The durable store's cost (issue 9): 100k no-op tasks through the SQLite store against the
 * in-memory default, the file's bytes per task, and how long a scheduler takes to recover a
 * 100k-task store (finished, half-finished, all pending). Run directly with
 * `node --expose-gc --import tsx bench/store.bench.ts [N]`.
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

async function throughput(n: number, file: string | undefined): Promise<number> {
  gc();
  const store = file === undefined ? undefined : sqliteStore(file);
  const scheduler = createScheduler({ ...options, ...(store ? { store } : {}) });
  const start = performance.now();
  scheduler.scheduleTasks(specs(n));
  await scheduler.onIdle();
  const ms = performance.now() - start;
  await scheduler.stop();
  store?.close();
  return ms;
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

/** Prints the table of issue 9's figures. */
export async function run(n = 100_000): Promise<void> {
  const folder = mkdtempSync(join(tmpdir(), 'xeno-bench-store-'));
  try {
    console.log(`\n## Durable store (SQLite, WAL, synchronous=NORMAL): ${n.toLocaleString('en')} no-op tasks, maxWorkers ${WORKERS}; medians of 3`);
    await throughput(Math.min(n, 5000), undefined);
    const memory: number[] = [];
    const sqlite: number[] = [];
    let bytes = 0;
    for (let round = 0; round < 3; round++) {
      memory.push(await throughput(n, undefined));
      const file = join(folder, `run-${round}.db`);
      sqlite.push(await throughput(n, file));
      bytes = fileBytes(file);
    }
    const m = median(memory);
    const s = median(sqlite);
    console.log('| store | tasks/s | vs in-memory | bytes per task |');
    console.log('|---|---|---|---|');
    console.log(`| in-memory (none) | ${rate(n, m)} | 1.00 | – |`);
    console.log(`| SQLite | ${rate(n, s)} | ${(m / s).toFixed(2)} | ${Math.round(bytes / n)} |`);

    console.log(`\nRecovery: createScheduler on a ${n.toLocaleString('en')}-task store until the run is rebuilt (load, fold, actors); medians of 3`);
    console.log('| store holds | live tasks rebuilt | recovery ms |');
    console.log('|---|---|---|');
    const finished = join(folder, 'run-0.db');
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
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const n = Number(process.argv[2]);
  await run(n > 0 ? n : undefined);
}
