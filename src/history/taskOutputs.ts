import { createHash } from 'node:crypto';
import { chmodSync, mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { hashFile } from './cacheKey.js';
import { expandPatterns, isNamedBy } from './expandPatterns.js';
import type { CachedOutput, ResultCache } from './RunHistory.js';
import type { TaskCachePlan } from './TaskCachePlan.js';

/**
 * A task's declared outputs as they are now: each file that exists, with its content's hash and
 * its permission bits, and the contents by hash (what a completed run stores).
 *
 * @example
 * const { outputs, contents } = snapshotOutputs(plan);
 */
export function snapshotOutputs(plan: TaskCachePlan): { outputs: CachedOutput[]; contents: Map<string, Uint8Array> } {
  const outputs: CachedOutput[] = [];
  const contents = new Map<string, Uint8Array>();
  for (const path of expandPatterns(plan.baseDir, plan.outputs)) {
    const absolute = resolve(plan.baseDir, path);
    const stats = statSync(absolute, { throwIfNoEntry: false });
    // A declared output the run did not write is not stored: a hit restores what the run left.
    if (stats === undefined || !stats.isFile()) continue;
    const content = readFileSync(absolute);
    const hash = createHash('sha256').update(content).digest('hex');
    outputs.push({ path, hash, size: content.byteLength, mode: stats.mode & 0o777 });
    contents.set(hash, content);
  }
  return { outputs, contents };
}

/** The history holds an entry whose output content is gone (a damaged or hand-edited file). */
export class MissingOutputContent extends Error {
  readonly path: string;
  constructor(path: string, hash: string) {
    super(`the history has no content for output "${path}" (sha256 ${hash.slice(0, 12)}…)`);
    this.name = 'MissingOutputContent';
    this.path = path;
  }
}

/**
 * Puts a cached entry's outputs back where they are missing or differ, byte for byte and with
 * their permission bits; a file that already matches is not touched. Each is written beside its
 * place and renamed over it, so a reader never sees half a file.
 *
 * @returns the paths restored
 * @throws MissingOutputContent when the history lacks a content it needs (nothing of that file is written)
 * @example
 * restoreOutputs(plan, entry.outputs, history.cache); // ['out/report.txt']
 */
export function restoreOutputs(plan: TaskCachePlan, outputs: readonly CachedOutput[], cache: ResultCache): string[] {
  const restored: string[] = [];
  for (const output of outputs) {
    // A history is data: it writes nowhere the task's declared outputs do not name.
    if (!isNamedBy(plan.baseDir, plan.outputs, output.path)) throw new Error(`output "${output.path}" of the entry is not among the task's declared outputs`);
  }
  for (const output of outputs) {
    const absolute = resolve(plan.baseDir, output.path);
    if (hashFile(absolute) === output.hash) {
      if ((statSync(absolute).mode & 0o777) !== output.mode) chmodSync(absolute, output.mode);
      continue;
    }
    const content = cache.content(output.hash);
    if (content === undefined) throw new MissingOutputContent(output.path, output.hash);
    mkdirSync(dirname(absolute), { recursive: true });
    const temporary = `${absolute}.xeno-restore-${process.pid}`;
    try {
      writeFileSync(temporary, content, { mode: output.mode });
      chmodSync(temporary, output.mode);
      renameSync(temporary, absolute);
    } catch (error) {
      rmSync(temporary, { force: true });
      throw error;
    }
    restored.push(output.path);
  }
  return restored;
}
