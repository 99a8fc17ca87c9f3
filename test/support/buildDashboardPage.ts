// Vitest global setup: the dashboard serves its page from dist/dashboard-page (built by Vite at
// `npm run build`). Tests run the sources, so the page is built here when it is missing or older
// than any of its sources; a fresh build costs nothing.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../', import.meta.url));
const sources = join(root, 'src/dashboard/web');
const built = join(root, 'dist/dashboard-page/index.html');

function newestSource(dir: string): number {
  return Math.max(...readdirSync(dir, { withFileTypes: true }).map((entry) => (entry.isDirectory() ? newestSource(join(dir, entry.name)) : statSync(join(dir, entry.name)).mtimeMs)));
}

export default async function setup(): Promise<void> {
  if (existsSync(built) && statSync(built).mtimeMs >= newestSource(sources)) return;
  const { build } = await import('vite');
  await build({ configFile: join(sources, 'vite.config.ts') });
}
