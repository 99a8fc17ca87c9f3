// Copies the dashboard's page assets (plain HTML/JS/CSS that tsc does not touch) into dist.
import { cpSync } from 'node:fs';

cpSync(new URL('../src/dashboard/page', import.meta.url), new URL('../dist/src/dashboard/page', import.meta.url), {
  recursive: true,
});
