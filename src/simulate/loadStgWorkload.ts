import { readFile } from 'node:fs/promises';
import { parseStg, type StgWorkload } from './parseStg.js';

/**
 * Reads a Standard Task Graph Set (`.stg`) file and converts it with {@link parseStg}.
 *
 * @example
 * const graph = await loadStgWorkload('graphs/rand0000.stg');
 * const { metrics } = await simulate(graph, { policy: 'critical-path', maxWorkers: 4 });
 */
export async function loadStgWorkload(path: string): Promise<StgWorkload> {
  return parseStg(await readFile(path, 'utf8'), path);
}
