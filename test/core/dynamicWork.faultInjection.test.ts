import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { sqliteStore } from '../../src/stores/sqlite/sqliteStore.js';
import { killableGeneration } from '../support/killableGeneration.js';
import { useTempFolder } from '../support/tempStore.js';

const CHILD = fileURLToPath(new URL('../fixtures/dynamic/spawnCrashRun.ts', import.meta.url));
const temp = useTempFolder();

/** One generation: SIGKILLed `killAfterMs` after it printed `spawned`, or run to its end. */
function generation(store: string, log: string, gen: number, killAfterMs: number | undefined): Promise<{ stdout: string; killed: boolean }> {
  return killableGeneration(CHILD, [store, log, String(gen)], { ready: 'spawned', killAfterMs });
}

describe('dynamic work under SIGKILL (fault injection)', () => {
  it('killed between the spawn and its children\'s completion, a resumed run finishes the children without running the split again, and the race completes once', async () => {
    for (const killAfterMs of [0, 60, 150]) {
      const store = temp.path(`run-${killAfterMs}.db`);
      const log = temp.path(`log-${killAfterMs}.txt`);
      const first = await generation(store, log, 0, killAfterMs);
      expect(first.killed).toBe(true);
      const second = await generation(store, log, 1, undefined);
      expect(second.stdout).toContain('done completed completed');
      const lines = readFileSync(log, 'utf8').trim().split('\n');
      // The split's work ran once: its children were journaled as spawned, and it waited.
      expect(lines.filter((line) => line.startsWith('split '))).toEqual(['split 0']);
      const reader = sqliteStore(store, { readOnly: true });
      try {
        const states = new Map(reader.load().map((state) => [state.task.id, state]));
        for (let i = 0; i < 20; i++) expect(states.get(`lemma-${i}`)).toMatchObject({ status: 'completed', task: { parent: 'split' } });
        expect(states.get('split')).toMatchObject({ status: 'completed', result: 'split into 20' });
        const alternatives = ['goal/0', 'goal/1'].map((id) => states.get(id)?.status);
        expect(alternatives.filter((status) => status === 'completed').length).toBeGreaterThanOrEqual(1);
        expect(states.get('goal')?.status).toBe('completed');
      } finally {
        reader.close();
      }
    }
  }, 60_000);
});
