import { mkdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { sqliteStore } from '../../src/stores/sqlite/sqliteStore.js';
import type { StoredTaskState } from '../../src/core/TaskStore.js';
import { killableGeneration } from '../support/killableGeneration.js';
import { useTempFolder } from '../support/tempStore.js';

const CHILD = fileURLToPath(new URL('../fixtures/durable/crashRun.ts', import.meta.url));
const KILLS = 30;
const temp = useTempFolder();

/** One generation of the child: resolves with its output, and whether the test killed it. */
function generation(store: string, log: string, markers: string, gen: number, killAfterMs: number | undefined): Promise<{ stdout: string; killed: boolean }> {
  return killableGeneration(CHILD, [store, log, String(gen), markers], { ready: 'ready', killAfterMs });
}

function loadFinal(file: string): StoredTaskState[] {
  const store = sqliteStore(file, { readOnly: true });
  try {
    return store.load();
  } finally {
    store.close();
  }
}

interface Line {
  readonly what: 'start' | 'end';
  readonly id: string;
  readonly gen: number;
  readonly attempt: number;
}

describe('durable runs under SIGKILL (fault injection)', () => {
  it(`loses nothing acknowledged across ${KILLS} kills at random moments, and ends as an uninterrupted run does`, async () => {
    // The uninterrupted run, for its final statuses.
    mkdirSync(temp.path('markers-ref'));
    await generation(temp.path('ref.db'), temp.path('ref.log'), temp.path('markers-ref'), 0, undefined);
    const reference = loadFinal(temp.path('ref.db'));

    const store = temp.path('run.db');
    const log = temp.path('run.log');
    const markers = temp.path('markers');
    mkdirSync(markers);
    let seed = Number(process.env.FAULT_SEED ?? Date.now() % 100_000);
    const seedUsed = seed;
    const nextDelay = (): number => {
      seed = (seed * 16_807) % 2_147_483_647;
      return 20 + (seed % 300);
    };
    const completedIn = new Map<string, number>();
    const killedGens = new Set<number>();
    let gen = 0;
    for (let done = false; !done; gen++) {
      const { stdout, killed } = await generation(store, log, markers, gen + 1, killedGens.size < KILLS ? nextDelay() : undefined);
      for (const match of stdout.matchAll(/^completed (\S+)$/gm)) completedIn.set(match[1] as string, gen + 1);
      if (killed) killedGens.add(gen + 1);
      done = stdout.includes('done\n');
    }
    const context = `seed ${seedUsed} (FAULT_SEED to replay)`;
    expect(killedGens.size, context).toBeGreaterThanOrEqual(KILLS);

    const final = loadFinal(store);
    // Every task reached a final state, the one an uninterrupted run reaches.
    expect(final.filter((state) => state.status === 'pending' || state.status === 'running'), context).toEqual([]);
    expect(final.map((state) => [state.task.id, state.status]), context).toEqual(reference.map((state) => [state.task.id, state.status]));

    const lines: Line[] = readFileSync(log, 'utf8')
      .trim()
      .split('\n')
      .map((text) => {
        const [what, id, gen, attempt] = text.split(' ');
        return { what: what as Line['what'], id: id as string, gen: Number(gen), attempt: Number(attempt) };
      });
    const starts = lines.filter((line) => line.what === 'start');
    const byId = new Map(final.map((state) => [state.task.id, state]));
    const designedToFail = (id: string): boolean => {
      const i = Number(id.slice(1));
      return i % 23 === 5 || i % 11 === 3;
    };
    const interrupted = new Set<string>();
    for (const [index, line] of starts.entries()) {
      // An attempt runs once: it is committed as started before its command starts.
      expect(starts.findIndex((other) => other.id === line.id && other.attempt === line.attempt), `${line.id} attempt ${line.attempt} ran twice; ${context}`).toBe(index);
      // No task ran again once its completion was acknowledged.
      const completed = completedIn.get(line.id);
      if (completed !== undefined) expect(line.gen, `${line.id} ran in generation ${line.gen} after completing in ${completed}; ${context}`).toBeLessThanOrEqual(completed);
      // Only an attempt running at a kill (or one designed to fail) is followed by another.
      const isLast = line.attempt === byId.get(line.id)?.attempt;
      if (!isLast && !designedToFail(line.id)) {
        expect(killedGens.has(line.gen), `${line.id} attempt ${line.attempt} was repeated but generation ${line.gen} was not killed; ${context}`).toBe(true);
        interrupted.add(line.id);
      }
      // Dependency order held across restarts: every dependency had ended before this started.
      const before = lines.slice(0, lines.indexOf(line));
      for (const dependency of byId.get(line.id)?.task.dependencies ?? []) {
        expect(before.some((other) => other.what === 'end' && other.id === dependency), `${line.id} started before ${dependency} ended; ${context}`).toBe(true);
      }
    }
    // The kills did interrupt work: otherwise this test could not fail.
    expect(interrupted.size, context).toBeGreaterThan(0);
    expect(final.some((state) => state.attempt > 1 && !designedToFail(state.task.id)), context).toBe(true);
    // Every extra attempt of a task not designed to fail was an interruption, journaled as one and
    // not counted as a retry: those tasks have none (retry.attempts 1), yet ended as the reference did.
    // (A task that never ran, doomed by a failed dependency, has no attempt at all.)
    for (const state of final.filter((state) => !designedToFail(state.task.id) && state.attempt > 0)) {
      expect(state.attempt, `${state.task.id}: ${state.attempt} attempts, ${state.interruptedAttempts} interrupted; ${context}`).toBe(1 + state.interruptedAttempts);
    }
    expect(final.reduce((sum, state) => sum + state.interruptedAttempts, 0), context).toBeGreaterThan(0);
  }, 180_000);
});
