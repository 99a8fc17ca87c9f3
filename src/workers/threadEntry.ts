import { fileURLToPath } from 'node:url';

/** Where a worker thread's entry module is, and the flags it needs to load it. */
export interface ThreadEntry {
  readonly filename: string;
  readonly execArgv?: string[];
}

/**
 * The entry module `name` (without extension) beside the module at `moduleUrl`. Compiled, it
 * sits next to it in `dist` as `.js`; run from source (tsx, vitest) it is TypeScript, so the
 * thread needs tsx's loader, and the loader flags this process was started with, to read it.
 *
 * @example
 * new Worker(threadEntry(import.meta.url, 'workerEntry').filename, { execArgv: threadEntry(import.meta.url, 'workerEntry').execArgv });
 */
export function threadEntry(moduleUrl: string, name: string): ThreadEntry {
  const isSource = moduleUrl.endsWith('.ts');
  const filename = fileURLToPath(new URL(`./${name}${isSource ? '.ts' : '.js'}`, moduleUrl));
  if (!isSource) return { filename };
  return { filename, execArgv: [...loaderArgv(process.execArgv), '--import', 'tsx'] };
}

/** Flags that load code or pick export conditions: the ones a worker needs to read our sources. */
const LOADER_FLAGS = new Set(['--import', '--require', '-r', '--loader', '--experimental-loader', '--conditions', '-C']);

/**
 * The loader flags of `argv`, with their values. Workers reject per-process and V8 flags such as
 * `--expose-gc` when they are passed explicitly, so only these are carried over.
 */
function loaderArgv(argv: readonly string[]): string[] {
  const kept: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    const name = arg.split('=')[0] as string;
    if (!LOADER_FLAGS.has(name)) continue;
    kept.push(arg);
    if (!arg.includes('=') && i + 1 < argv.length) kept.push(argv[++i] as string);
  }
  return kept;
}
