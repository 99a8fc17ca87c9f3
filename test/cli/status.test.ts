import { spawn } from 'node:child_process';
import { chmodSync, existsSync, readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { crashAfterWriting } from '../support/crashedStore.js';
import { useTempFolder } from '../support/tempStore.js';
import { runMain } from './runMain.js';

const temp = useTempFolder();
const BIN = fileURLToPath(new URL('../../src/cli/bin.ts', import.meta.url));

/** The bytes of the store and its WAL. */
function snapshot(file: string): Buffer[] {
  return [readFileSync(file), readFileSync(`${file}-wal`)];
}

/**
 * `xeno-scheduler status <file>` in a child process that cannot write `folder`: as the user
 * nobody when the tests run as root (root writes anywhere), else after taking the folder's write
 * permission away.
 */
function statusWithoutWriting(folder: string, file: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const asRoot = process.getuid?.() === 0;
  chmodSync(folder, 0o555);
  const command = asRoot ? 'setpriv' : process.execPath;
  const args = [...(asRoot ? ['--reuid=65534', '--regid=65534', '--clear-groups', process.execPath] : []), '--import', 'tsx', BIN, 'status', file];
  const child = spawn(command, args, { cwd: fileURLToPath(new URL('../../', import.meta.url)), stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code) => {
      chmodSync(folder, 0o755);
      resolve({ code, stdout, stderr });
    });
  });
}

describe('xeno-scheduler status', () => {
  it('reads the store a killed run left without changing it: no checkpoint, its WAL kept as it was', async () => {
    const file = temp.path('run.db');
    await crashAfterWriting(file, 12, 5);
    const before = snapshot(file);
    const status = await runMain(['status', file]);
    expect(status.stdout).toContain(`${file}: 12 tasks: 5 completed, 0 failed, 0 cancelled, 0 running, 7 pending`);
    expect(status.code).toBe(1);
    const after = snapshot(file);
    expect(after[0]?.equals(before[0] as Buffer)).toBe(true);
    expect(after[1]?.equals(before[1] as Buffer)).toBe(true);
  });

  it('reads a store in a folder it cannot write, after a crash (its WAL beside it) and after a clean close', async () => {
    const file = temp.path('run.db');
    await crashAfterWriting(file, 12, 5);
    chmodSync(temp.folder, 0o755); // the other user reaches the folder
    const files = readdirSync(temp.folder).sort();
    const crashed = await statusWithoutWriting(temp.folder, file);
    expect(crashed.stderr).toBe('');
    expect(crashed.stdout).toContain(`${file}: 12 tasks: 5 completed`);
    expect(readdirSync(temp.folder).sort()).toEqual(files);

    const resumed = await runMain(['status', file]); // reads it; a clean close of a run is what leaves no WAL:
    expect(resumed.code).toBe(1);
    const { sqliteStore } = await import('../../src/stores/sqlite/sqliteStore.js');
    sqliteStore(file).close();
    expect(existsSync(`${file}-wal`)).toBe(false);
    const closedFiles = readdirSync(temp.folder).sort();
    const closed = await statusWithoutWriting(temp.folder, file);
    expect(closed.stderr).toBe('');
    expect(closed.stdout).toContain(`${file}: 12 tasks: 5 completed`);
    expect(readdirSync(temp.folder).sort()).toEqual(closedFiles);
  });
});
