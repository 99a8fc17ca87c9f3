import { MissingPackageError } from './MissingPackageError.js';

/**
 * The bare package name a module-not-found error (of `import()` or `require()`) is about, if it
 * is about one; for a synchronous loader that makes its own {@link MissingPackageError}.
 *
 * @example
 * try { return require('better-sqlite3'); } catch (error) { if (missingPackageOf(error) === 'better-sqlite3') throw new MissingPackageError('better-sqlite3', 'an SQLite store on Node 20', { cause: error }); throw error; }
 */
export function missingPackageOf(error: unknown): string | undefined {
  if (!(error instanceof Error)) return undefined;
  const code = (error as NodeJS.ErrnoException).code;
  if (code !== 'ERR_MODULE_NOT_FOUND' && code !== 'MODULE_NOT_FOUND') return undefined;
  // import(): "Cannot find package 'bullmq' imported from …"; require(): "Cannot find module 'bullmq'".
  const specifier = /^Cannot find (?:package|module) '([^']+)'/.exec(error.message)?.[1];
  if (specifier === undefined || specifier.startsWith('.') || specifier.startsWith('/')) return undefined;
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
}

/**
 * Runs `load` (an `import()` of the module that needs one of `packages`, optional peer
 * dependencies of xeno-scheduler) and returns what it loads. When one of `packages` is not
 * installed it throws a {@link MissingPackageError} that names it, what needs it and the command
 * that installs all of `packages` (installing one at a time would fail on the next); any other
 * failure, including a missing package of someone else's, passes through unchanged.
 *
 * @throws MissingPackageError naming the package to install
 * @example
 * const { bullmqExecutor } = await loadOptionalPackage(['bullmq', 'ioredis'], 'a distributed run (type: distributed)', () => import('../distributed/bullmqExecutor.js'));
 */
export async function loadOptionalPackage<T>(packages: readonly string[], neededFor: string, load: () => Promise<T> | T): Promise<T> {
  try {
    return await load();
  } catch (error) {
    const missing = missingPackageOf(error);
    if (missing !== undefined && packages.includes(missing)) throw new MissingPackageError(missing, neededFor, { cause: error, install: packages });
    throw error;
  }
}
