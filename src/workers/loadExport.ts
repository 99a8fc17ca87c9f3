import { isAbsolute, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

/** A function exported by a task module. */
export type ExportedFunction = (...args: never[]) => unknown;

const typeScriptExtension = /\.[cm]?ts$/;
let tsxRegistration: Promise<void> | undefined;
/** TypeScript modules that needed tsx, by URL, with the URL they were finally loaded from. */
const retriedUrls = new Map<string, string>();

/**
 * Turns a module path as written in a workload (relative to the working directory, absolute,
 * or a `file:` URL) into the absolute `file:` URL that `import()` takes.
 *
 * @example
 * ```ts
 * resolveModuleUrl('tasks/prove.ts'); // 'file:///home/me/project/tasks/prove.ts'
 * ```
 */
export function resolveModuleUrl(modulePath: string): string {
  if (modulePath.startsWith('file:')) return modulePath;
  const absolute = isAbsolute(modulePath) ? modulePath : resolve(process.cwd(), modulePath);
  return pathToFileURL(absolute).href;
}

/**
 * Imports a module and returns one of its exported functions. A `.ts`, `.mts` or `.cts` module
 * that the running Node cannot load by itself is retried after registering tsx's loader in this
 * thread (tsx must then be installed).
 *
 * @throws TypeError when the export is missing or is not a function.
 * @example
 * ```ts
 * const prove = await loadExport('tasks/prove.ts', 'prove');
 * await prove({ depth: 3 });
 * ```
 */
export async function loadExport(modulePath: string, exportName: string): Promise<ExportedFunction> {
  const url = resolveModuleUrl(modulePath);
  const namespace = await importWithTypeScript(url);
  const value = namespace[exportName];
  if (typeof value !== 'function') {
    const found = exportName in namespace ? typeof value : 'no such export';
    throw new TypeError(
      `export "${exportName}" of ${url}: expected a function, found ${found}`,
    );
  }
  return value as ExportedFunction;
}

async function importWithTypeScript(url: string): Promise<Record<string, unknown>> {
  const loadedAs = retriedUrls.get(url) ?? url;
  try {
    return (await import(loadedAs)) as Record<string, unknown>;
  } catch (error) {
    if (loadedAs !== url || !typeScriptExtension.test(url) || !isUnknownExtension(error)) throw error;
    await registerTsx();
    // The module cache keeps the failed import of `url`; a query string makes a fresh entry.
    const retry = `${url}?tsx`;
    retriedUrls.set(url, retry);
    return (await import(retry)) as Record<string, unknown>;
  }
}

function isUnknownExtension(error: unknown): boolean {
  return (error as { code?: unknown } | null)?.code === 'ERR_UNKNOWN_FILE_EXTENSION';
}

function registerTsx(): Promise<void> {
  // Registration is per thread and must happen once: a second register() would stack loaders.
  tsxRegistration ??= import('tsx/esm/api').then(
    ({ register }) => {
      register();
    },
    (cause: unknown) => {
      throw new Error('loading a TypeScript task module needs the "tsx" package installed', { cause });
    },
  );
  return tsxRegistration;
}
