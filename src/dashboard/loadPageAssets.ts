import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** One file the dashboard serves. */
export interface PageAsset {
  readonly contentType: string;
  readonly body: Buffer;
}

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
};

/**
 * Where the page's files are: next to this module (running from `src/` with tsx, or from `dist/`
 * once the build copied them), else in the package's `src/dashboard/page/`.
 */
function findPageDir(): string {
  const candidates = ['./page/', '../../../src/dashboard/page/'].map((relative) => fileURLToPath(new URL(relative, import.meta.url)));
  const found = candidates.find((dir) => existsSync(join(dir, 'index.html')));
  if (found === undefined) throw new Error(`dashboard page assets not found; looked in ${candidates.join(' and ')}`);
  return found;
}

function dagreBundlePath(): string {
  const require = createRequire(import.meta.url);
  return join(dirname(require.resolve('@dagrejs/dagre/package.json')), 'dist', 'dagre.min.js');
}

/**
 * Reads the dashboard page into memory, keyed by URL path: `/` for `index.html`, `/assets/<file>`
 * for its scripts and styles, and `/assets/dagre.min.js` from the installed `@dagrejs/dagre`. No
 * asset comes from the internet; nothing outside this list is served.
 *
 * @example
 * const assets = await loadPageAssets();
 * assets.get('/assets/app.js')?.contentType; // 'text/javascript; charset=utf-8'
 */
export async function loadPageAssets(): Promise<ReadonlyMap<string, PageAsset>> {
  const dir = findPageDir();
  const files = (await readdir(dir)).filter((name) => CONTENT_TYPES[extname(name)] !== undefined);
  const entries = await Promise.all(
    [...files.map((name) => [name === 'index.html' ? '/' : `/assets/${name}`, join(dir, name)] as const), ['/assets/dagre.min.js', dagreBundlePath()] as const].map(
      async ([urlPath, file]) => [urlPath, { contentType: CONTENT_TYPES[extname(file)] ?? 'application/octet-stream', body: await readFile(file) }] as const,
    ),
  );
  return new Map(entries);
}
