import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { extname, join, relative, sep } from 'node:path';
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
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
};

/**
 * Where the built page is: `dist/dashboard-page/` of the package, which Vite writes at
 * `npm run build` (from `src/dashboard/web/`). Seen from `dist/src/dashboard/` (the built
 * package) or from `src/dashboard/` (running the sources with tsx), both name the same folder.
 */
export function pageDirCandidates(): string[] {
  return ['../../dashboard-page/', '../../dist/dashboard-page/'].map((path) => fileURLToPath(new URL(path, import.meta.url)));
}

function findPageDir(): string {
  const candidates = pageDirCandidates();
  const found = candidates.find((dir) => existsSync(join(dir, 'index.html')));
  if (found === undefined) throw new Error(`dashboard page not built: run \`npm run build\` (looked for index.html in ${candidates.join(' and ')})`);
  return found;
}

/** The files under `dir` the page may serve, at any depth. */
async function listFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  const nested = await Promise.all(entries.filter((entry) => entry.isDirectory()).map((entry) => listFiles(join(dir, entry.name))));
  const files = entries.filter((entry) => entry.isFile() && CONTENT_TYPES[extname(entry.name)] !== undefined).map((entry) => join(dir, entry.name));
  return [...files, ...nested.flat()];
}

/**
 * Reads the built dashboard page into memory, keyed by URL path: `/` for `index.html`, and
 * `/assets/<file>` for its bundled scripts and styles (the layout library and everything else
 * the page uses is bundled into them). No asset comes from the internet; nothing outside this
 * list is served.
 *
 * @throws Error when the page was not built (`npm run build`)
 * @example
 * const assets = await loadPageAssets();
 * [...assets.keys()]; // ['/', '/assets/index-3f2a9c.js', '/assets/index-81bc0d.css']
 */
export async function loadPageAssets(): Promise<ReadonlyMap<string, PageAsset>> {
  const dir = findPageDir();
  const files = await listFiles(dir);
  const entries = await Promise.all(
    files.map(async (file) => {
      const urlPath = `/${relative(dir, file).split(sep).join('/')}`;
      const body = await readFile(file);
      return [urlPath === '/index.html' ? '/' : urlPath, { contentType: CONTENT_TYPES[extname(file)] ?? 'application/octet-stream', body }] as const;
    }),
  );
  return new Map(entries);
}
