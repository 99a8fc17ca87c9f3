import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { hasNodeSqlite, openDatabase, sqliteDriverName } from '../../src/stores/sqlite/openDatabase.js';
import { sqliteStore } from '../../src/stores/sqlite/sqliteStore.js';
import { useTempFolder } from '../support/tempStore.js';

const temp = useTempFolder();
const require = createRequire(import.meta.url);

describe('the SQLite driver', () => {
  it('is node:sqlite from Node 22.13 and 23.4 on, better-sqlite3 before', () => {
    expect(['20.19.0', '22.12.0', '23.3.0'].map((version) => hasNodeSqlite(version))).toEqual([false, false, false]);
    expect(['22.13.0', '23.4.0', '24.0.0', '26.1.0'].map((version) => hasNodeSqlite(version))).toEqual([true, true, true, true]);
    expect(sqliteDriverName('20.19.0')).toBe('better-sqlite3');
    expect(sqliteDriverName('24.11.1')).toBe('node:sqlite');
  });

  it('is the one this Node has, and under a Node with node:sqlite better-sqlite3 is never loaded', () => {
    const store = sqliteStore(temp.path('run.db'));
    store.close();
    expect(store.driver).toBe(sqliteDriverName());
    const loaded = Object.keys(require.cache).some((path) => path.includes(`${'/'}better-sqlite3${'/'}`));
    expect(loaded).toBe(!hasNodeSqlite());
  });

  it('names better-sqlite3 and how to install it when this Node needs it and it is not installed', () => {
    const names: string[] = [];
    const missing = (name: string): never => {
      names.push(name);
      throw Object.assign(new Error(`Cannot find module '${name}'`), { code: 'MODULE_NOT_FOUND' });
    };
    expect(() => openDatabase(temp.path('run.db'), {}, missing, '20.19.0')).toThrow(
      'the SQLite store needs the package better-sqlite3 on Node 20.19.0 (node:sqlite arrived in Node 22.13): install it with `npm install better-sqlite3`, or run on Node 22.13 or later',
    );
    expect(names).toEqual(['better-sqlite3']);
  });

  it('asks a Node with node:sqlite for node:sqlite only', () => {
    const names: string[] = [];
    const unavailable = (name: string): never => {
      names.push(name);
      throw new Error(`not loaded in this test: ${name}`);
    };
    expect(() => openDatabase(temp.path('run.db'), {}, unavailable, '24.11.1')).toThrow('not loaded in this test: node:sqlite');
    expect(names).toEqual(['node:sqlite']);
  });
});
