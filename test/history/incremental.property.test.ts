import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createScheduler } from '../../src/core/createScheduler.js';
import { sqliteHistory } from '../../src/stores/sqlite/sqliteHistory.js';
import type { RunHistory } from '../../src/history/RunHistory.js';
import type { TaskContext, TaskSpec } from '../../src/types.js';

/** A random DAG: task i depends on some of the tasks before it. */
const dagArbitrary = fc
  .integer({ min: 1, max: 10 })
  .chain((n) => fc.tuple(...Array.from({ length: n }, (_, i) => fc.subarray(Array.from({ length: i }, (_, j) => j)))))
  .map((deps) => deps as number[][]);

/** Edits: for each task, nothing, its input file, or its config. */
const editsArbitrary = (n: number) => fc.array(fc.constantFrom('none', 'input', 'config'), { minLength: n, maxLength: n });

/** Each task reads its input and its dependencies' outputs, and writes out/<i>.txt: its result. */
function work({ task, config }: TaskContext<{ folder: string; salt: string; deps: number[]; i: number }>): string {
  const input = readFileSync(join(config.folder, 'in', `${config.i}.txt`), 'utf8');
  const upstream = config.deps.map((d) => readFileSync(join(config.folder, 'out', `${d}.txt`), 'utf8')).join('|');
  const result = `${task.id}(${input},${config.salt})[${upstream}]`;
  mkdirSync(join(config.folder, 'out'), { recursive: true });
  writeFileSync(join(config.folder, 'out', `${config.i}.txt`), result);
  return result;
}

function specs(folder: string, deps: number[][], salts: string[]): TaskSpec<any>[] {
  return deps.map((dependencies, i) => ({
    id: `t${i}`,
    dependencies: dependencies.map((d) => `t${d}`),
    config: { folder: '.', salt: salts[i], deps: dependencies, i },
    inputs: [`in/${i}.txt`, ...dependencies.map((d) => `out/${d}.txt`)],
    outputs: [`out/${i}.txt`],
    baseDir: folder,
    // Paths in the config are the folder's: the work resolves them itself.
    run: (ctx: TaskContext<any>) => work({ ...ctx, config: { ...ctx.config, folder } }),
  }));
}

async function runAll(folder: string, deps: number[][], salts: string[], history?: RunHistory) {
  const scheduler = createScheduler({ maxWorkers: 3, ...(history === undefined ? {} : { history }) });
  try {
    scheduler.scheduleTasks(specs(folder, deps, salts));
    await scheduler.onIdle();
    return scheduler.listTasks();
  } finally {
    await scheduler.stop();
  }
}

/** The edited tasks and everything downstream of them. */
function dirty(deps: number[][], edited: Set<number>): Set<number> {
  const out = new Set(edited);
  deps.forEach((dependencies, i) => {
    if (dependencies.some((d) => out.has(d))) out.add(i);
  });
  return out;
}

describe('incremental runs (property)', () => {
  it('for random DAGs and random edits, exactly the edited tasks and their transitive dependents run, and results equal an uncached run', async () => {
    await fc.assert(
      fc.asyncProperty(
        dagArbitrary.chain((deps) => fc.tuple(fc.constant(deps), editsArbitrary(deps.length))),
        async ([deps, edits]) => {
          const folder = mkdtempSync(join(tmpdir(), 'xeno-incremental-'));
          try {
            mkdirSync(join(folder, 'in'));
            deps.forEach((_, i) => writeFileSync(join(folder, 'in', `${i}.txt`), `input ${i}`));
            const salts = deps.map(() => 'v1');
            const history = sqliteHistory(join(folder, 'h.db'));
            try {
              const cold = await runAll(folder, deps, salts, history);
              expect(cold.every((task) => task.status === 'completed' && !task.cached)).toBe(true);

              const edited = new Set<number>();
              edits.forEach((edit, i) => {
                if (edit === 'input') writeFileSync(join(folder, 'in', `${i}.txt`), `input ${i}, edited`);
                if (edit === 'config') salts[i] = 'v2';
                if (edit !== 'none') edited.add(i);
              });
              const warm = await runAll(folder, deps, salts, history);
              const ran = new Set(warm.filter((task) => !task.cached).map((task) => Number(task.id.slice(1))));
              expect([...ran].sort((a, b) => a - b)).toEqual([...dirty(deps, edited)].sort((a, b) => a - b));
              expect(warm.every((task) => task.status === 'completed')).toBe(true);

              // The same files, no history: every task runs, and must give what the warm run gave.
              const uncached = await runAll(folder, deps, salts);
              expect(warm.map((task) => task.result)).toEqual(uncached.map((task) => task.result));
            } finally {
              history.close();
            }
          } finally {
            rmSync(folder, { recursive: true, force: true });
          }
        },
      ),
      { numRuns: 40 },
    );
  }, 120_000);
});
