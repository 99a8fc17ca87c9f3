import { spawn } from 'node:child_process';
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { sqliteStore } from '../../src/stores/sqlite/sqliteStore.js';
import { openDatabase } from '../../src/stores/sqlite/openDatabase.js';
import type { StoredTask } from '../../src/core/TaskStore.js';
import { storedTask as plainStoredTask } from '../support/storedTask.js';
import { useTempFolder } from '../support/tempStore.js';
import { thrown } from '../support/thrownStoreError.js';

const temp = useTempFolder();

/** A task with resources, config, a timeout and a dependency deadline: every column is written. */
function storedTask(id: string, seq: number, dependencies: string[] = []): StoredTask {
  return plainStoredTask(id, seq, dependencies, {
    resources: { cpu: 1 },
    config: { n: seq },
    hasOwnRun: false,
    timeoutMs: 1000,
    retry: { attempts: 2, backoffMs: 10, backoffFactor: 2, maxBackoffMs: 100 },
    createdAt: 100,
    dependencyDeadline: dependencies.length > 0 ? 5000 : undefined,
  });
}

/** Runs `script` in a child Node that opens the store and waits until told to exit. */
function holdInChild(file: string): Promise<{ exit: () => Promise<void> }> {
  const script = `
    const { sqliteStore } = await import(${JSON.stringify(new URL('../../src/stores/sqlite/sqliteStore.ts', import.meta.url).href)});
    const store = sqliteStore(${JSON.stringify(file)});
    store.load();
    process.stdout.write('held\\n');
    process.stdin.on('data', () => process.exit(0));
  `;
  const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { stdio: ['pipe', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.stdout.once('data', () =>
      resolve({
        exit: () =>
          new Promise((done) => {
            child.once('exit', () => done());
            child.stdin.write('x');
          }),
      }),
    );
  });
}

describe('sqliteStore', () => {
  it('keeps tasks and transitions across a close and a reopen, folded as the memory store folds them', () => {
    const file = temp.path('run.db');
    const store = sqliteStore(file);
    expect(store.load()).toEqual([]);
    store.addTasks([storedTask('a', 0), storedTask('b', 1, ['a'])]);
    store.record({ kind: 'started', id: 'a', at: 110, attempt: 1 });
    store.record({ kind: 'retrying', id: 'a', at: 120, attempt: 1, retryAt: 130, error: { name: 'Error', message: 'boom' } });
    store.record({ kind: 'ready', id: 'a', at: 130 });
    store.record({ kind: 'started', id: 'a', at: 131, attempt: 2 });
    store.record({ kind: 'completed', id: 'a', at: 140, result: { rows: 3 } });
    store.record({ kind: 'ready', id: 'b', at: 140 });
    store.addTasks([storedTask('c', 2)]);
    store.record({ kind: 'started', id: 'c', at: 150, attempt: 1 });
    store.record({ kind: 'interrupted', id: 'c', at: 160, attempt: 1 });
    store.record({ kind: 'ready', id: 'c', at: 160 });
    store.close();

    const again = sqliteStore(file);
    const [a, b, c] = again.load();
    expect(a).toMatchObject({ status: 'completed', attempt: 2, result: { rows: 3 }, completedAt: 140, error: undefined });
    expect(a?.task).toEqual(storedTask('a', 0));
    expect(b).toMatchObject({ status: 'pending', pendingReason: 'queued', readyAt: 140, attempt: 0 });
    expect(c).toMatchObject({ status: 'pending', pendingReason: 'queued', readyAt: 160, attempt: 1, interruptedAttempts: 1, stoppedAttempts: 0 });
    expect(again.sessions).toBe(1);
    again.close();
  });

  it('commits a batch before addTasks returns, and transitions only on commit', () => {
    const file = temp.path('run.db');
    const store = sqliteStore(file);
    store.addTasks([storedTask('a', 0)]);
    store.record({ kind: 'started', id: 'a', at: 110, attempt: 1 });
    expect(store.uncommitted).toBe(1);
    // Another connection sees what is committed: read the file as a copy would after a kill.
    const committedStatus = (): unknown => {
      const copy = temp.path(`copy-${Math.random()}.db`);
      writeFileSync(copy, readFileSync(file));
      try {
        writeFileSync(`${copy}-wal`, readFileSync(`${file}-wal`));
      } catch {
        // No WAL file: everything is in the main file.
      }
      const reader = sqliteStore(copy);
      const [state] = reader.load();
      reader.close();
      return state?.status;
    };
    expect(committedStatus()).toBe('pending');
    store.commit();
    expect(store.uncommitted).toBe(0);
    expect(committedStatus()).toBe('running');
    store.close();
  });

  it('lets go of the tasks the scheduler forgot, whose rows stay in the file as they ended, and takes a later task with the same id afresh', () => {
    const file = temp.path('forget.db');
    const statesIn = (path: string) => {
      const reader = sqliteStore(path, { readOnly: true });
      const states = reader.loadCommitted();
      reader.close();
      return states.map((state) => [state.task.id, state.task.seq, state.status]);
    };
    const store = sqliteStore(file);
    store.addTasks([storedTask('a', 0), storedTask('b', 1)]);
    store.record({ kind: 'started', id: 'a', at: 110, attempt: 1 });
    store.record({ kind: 'completed', id: 'a', at: 120, result: 'A' });
    store.forget(['a']);
    // Recorded before it was forgotten: written. After: the store no longer holds its number.
    expect(store.uncommitted).toBe(2);
    store.record({ kind: 'started', id: 'a', at: 130, attempt: 2 });
    expect(store.uncommitted).toBe(2);
    store.commit();
    store.close();
    expect(statesIn(file)).toEqual([['a', 0, 'completed'], ['b', 1, 'pending']]);
    // A new task may take the id once it is forgotten: it replaces the row, and its transitions are its own.
    const again = sqliteStore(file);
    again.load();
    again.forget(['a']);
    again.addTasks([storedTask('a', 2)]);
    again.record({ kind: 'started', id: 'a', at: 140, attempt: 1 });
    again.commit();
    again.close();
    expect(statesIn(file)).toEqual([['b', 1, 'pending'], ['a', 2, 'running']]);
  });

  it('stores what JSON cannot hold as a description instead of failing the run', () => {
    const file = temp.path('run.db');
    const store = sqliteStore(file);
    store.addTasks([storedTask('a', 0)]);
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    store.record({ kind: 'completed', id: 'a', at: 1, result: cyclic });
    store.close();
    const again = sqliteStore(file);
    expect(again.load()[0]?.result).toMatchObject({ unstorable: '[object Object]' });
    again.close();
  });

  it('refuses a path in a missing folder, naming it, and creates nothing', () => {
    const file = join(temp.folder, 'nope', 'run.db');
    expect(thrown(() => sqliteStore(file)).message).toBe(`task store "${file}": the folder "${join(temp.folder, 'nope')}" does not exist`);
  });

  it('refuses a folder, and a file in a folder it cannot write', () => {
    const folder = temp.path('folder.db');
    mkdirSync(folder);
    expect(thrown(() => sqliteStore(folder)).message).toContain('is a folder');
    expect(thrown(() => sqliteStore('/proc/version')).message).toMatch(/task store "\/proc\/version": /);
  });

  it('refuses garbage and leaves it as it was', () => {
    const file = temp.path('garbage.db');
    const garbage = Buffer.from('not a database at all\n'.repeat(200));
    writeFileSync(file, garbage);
    const error = thrown(() => sqliteStore(file));
    expect(error.message).toContain(file);
    expect(error.message).toContain('is not an SQLite database');
    expect(readFileSync(file).equals(garbage)).toBe(true);
  });

  it('refuses the SQLite database of another program and leaves it as it was', () => {
    const file = temp.path('other.db');
    const db = openDatabase(file);
    db.exec('CREATE TABLE users (name TEXT)');
    db.close();
    const before = readFileSync(file);
    expect(thrown(() => sqliteStore(file)).message).toContain('is an SQLite database of another program (tables: users)');
    expect(readFileSync(file).equals(before)).toBe(true);
  });

  it('refuses a store written by a newer schema version and leaves it as it was', () => {
    const file = temp.path('run.db');
    sqliteStore(file).close();
    const db = openDatabase(file);
    db.exec("UPDATE meta SET value = '99' WHERE key = 'version'");
    db.close();
    const before = readFileSync(file);
    expect(thrown(() => sqliteStore(file)).message).toContain('was written by a newer xeno-scheduler (schema version 99; this one reads up to 5)');
    expect(readFileSync(file).equals(before)).toBe(true);
  });

  it('writes schema version 5 (its spec rows leave out defaults; it may hold `active`, `stopped` and `interrupted` transitions) and marks a version 1 to 4 store it opens for writing as 5, and one it only reads not at all', () => {
    const version = (file: string): string => {
      const db = openDatabase(file);
      const row = db.prepare("SELECT value FROM meta WHERE key = 'version'").get() as { value: string };
      db.close();
      return row.value;
    };
    const file = temp.path('run.db');
    const store = sqliteStore(file);
    store.addTasks([storedTask('a', 0)]);
    store.close();
    expect(version(file)).toBe('5');
    // An older reader would not know an `active`, `stopped` or `interrupted` row, or a spec row without its defaults: once this one may write them, it says so.
    for (const older of ['1', '2', '3', '4']) {
      const db = openDatabase(file);
      db.exec(`UPDATE meta SET value = '${older}' WHERE key = 'version'`);
      db.close();
      const reader = sqliteStore(file, { readOnly: true });
      expect(reader.load().map((state) => state.task.id)).toEqual(['a']);
      reader.close();
      expect(version(file)).toBe(older);
      const again = sqliteStore(file);
      expect(again.load().map((state) => state.task.id)).toEqual(['a']);
      again.close();
      expect(version(file)).toBe('5');
    }
  });

  it('refuses a store another live process holds, and opens it once that process is gone', async () => {
    const file = temp.path('run.db');
    const store = sqliteStore(file);
    store.addTasks([storedTask('a', 0)]);
    store.close();
    const holder = await holdInChild(file);
    try {
      expect(thrown(() => sqliteStore(file)).message).toBe(
        `task store "${file}": is in use by another live process (a run holds it); stop that run first`,
      );
      expect(thrown(() => sqliteStore(file, { readOnly: true })).message).toContain('is in use by another live process');
    } finally {
      await holder.exit();
    }
    const again = sqliteStore(file);
    expect(again.load().map((state) => state.task.id)).toEqual(['a']);
    again.close();
  });

  it('opens read-only without writing: no store is created, no session is counted', () => {
    const file = temp.path('run.db');
    expect(thrown(() => sqliteStore(file, { readOnly: true })).message).toBe(`task store "${file}": does not exist`);
    sqliteStore(file).close();
    const reader = sqliteStore(file, { readOnly: true });
    reader.load();
    expect(() => reader.addTasks([storedTask('a', 0)])).toThrow(/was opened to read only/);
    reader.close();
    const writer = sqliteStore(file);
    expect(writer.sessions).toBe(0);
    writer.close();
  });

  it('leaves a file it cannot write unchanged when it is not root', () => {
    if (process.getuid?.() === 0) return; // root writes anyway: /proc/version stands in above
    const file = temp.path('run.db');
    sqliteStore(file).close();
    chmodSync(file, 0o444);
    expect(thrown(() => sqliteStore(file)).message).toContain(file);
  });
});
