import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach } from 'vitest';

/** A fresh temporary folder per test, removed after it; returns a path maker inside it. */
export function useTempFolder(): { path(name: string): string; readonly folder: string } {
  let folder = '';
  afterEach(() => {
    if (folder !== '') rmSync(folder, { recursive: true, force: true });
    folder = '';
  });
  return {
    get folder() {
      folder ||= mkdtempSync(join(tmpdir(), 'xeno-store-'));
      return folder;
    },
    path(name: string) {
      folder ||= mkdtempSync(join(tmpdir(), 'xeno-store-'));
      return join(folder, name);
    },
  };
}
