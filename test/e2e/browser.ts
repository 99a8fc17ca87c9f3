// Debian's Chromium for the dashboard's end-to-end tests, started offline, and a screenshot
// comparison with a tolerance.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pixelmatch from 'pixelmatch';
import { chromium, type Browser } from 'playwright-core';
import { PNG } from 'pngjs';
import { afterAll } from 'vitest';
import type { Dashboard } from '../../src/dashboard/startDashboard.js';
import type { Scheduler } from '../../src/core/scheduler.js';
import { findTool, requireTool } from '../support/requireTool.js';

/** Why the browser tests are skipped, or undefined when Chromium is installed (with CI set, a missing one throws). */
export const NO_CHROMIUM = requireTool('chromium');
/** Flags that keep the browser off the network: the page must work with every asset served locally. */
const OFFLINE_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic', '--font-render-hinting=none'];

export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: findTool('chromium') as string, headless: true, args: OFFLINE_ARGS });
}

/** What a test file starts: closed after all its tests, the browser first, the scheduler last. */
export interface BrowserRun {
  browser?: Browser;
  dashboard?: Dashboard;
  scheduler?: Scheduler;
}

/** Registers the closing of what the test file will put in the returned {@link BrowserRun}. */
export function closedAfterAll(): BrowserRun {
  const run: BrowserRun = {};
  afterAll(async () => {
    await run.browser?.close();
    await run.dashboard?.close();
    await run.scheduler?.stop();
  });
  return run;
}

const SCREENSHOTS = fileURLToPath(new URL('./screenshots/', import.meta.url));

/** What {@link compareScreenshot} found. */
export interface ScreenshotComparison {
  /** Share of pixels that differ beyond pixelmatch's colour threshold. */
  readonly mismatch: number;
  /** The reference did not exist and was written from this screenshot. */
  readonly created: boolean;
}

/**
 * Compares a PNG with the reference `test/e2e/screenshots/<name>.png` (pixelmatch, colour
 * threshold 0.1). With no reference, or with UPDATE_SCREENSHOTS=1, the screenshot becomes the
 * reference. A mismatch leaves the actual image and the difference in test-artifacts/.
 */
export function compareScreenshot(name: string, actual: Buffer): ScreenshotComparison {
  const referencePath = join(SCREENSHOTS, `${name}.png`);
  if (!existsSync(referencePath) || process.env['UPDATE_SCREENSHOTS'] === '1') {
    mkdirSync(dirname(referencePath), { recursive: true });
    writeFileSync(referencePath, actual);
    return { mismatch: 0, created: process.env['UPDATE_SCREENSHOTS'] !== '1' };
  }
  const expected = PNG.sync.read(readFileSync(referencePath));
  const image = PNG.sync.read(actual);
  if (expected.width !== image.width || expected.height !== image.height) return { mismatch: 1, created: false };
  const diff = new PNG({ width: image.width, height: image.height });
  const differing = pixelmatch(expected.data, image.data, diff.data, image.width, image.height, { threshold: 0.1 });
  const mismatch = differing / (image.width * image.height);
  if (differing > 0) {
    mkdirSync('test-artifacts', { recursive: true });
    writeFileSync(join('test-artifacts', `${name}.actual.png`), actual);
    writeFileSync(join('test-artifacts', `${name}.diff.png`), PNG.sync.write(diff));
  }
  return { mismatch, created: false };
}
