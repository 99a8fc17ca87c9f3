// `xeno-scheduler/stores/sqlite`: the durable task store. Its own entry, so that the core entry
// never loads an SQLite driver (better-sqlite3 on Node 20, node:sqlite where Node has it).
export { sqliteStore } from './sqliteStore.js';
export type { SqliteStoreOptions, SqliteTaskStore } from './sqliteStore.js';
export { STORE_SCHEMA_VERSION } from './storeSchema.js';
export { TaskStoreError } from '../../errors.js';
export { sqliteHistory, HISTORY_SCHEMA_VERSION } from './sqliteHistory.js';
export type { SqliteHistoryOptions, SqliteRunHistory } from './sqliteHistory.js';
export { HistoryError } from '../../errors.js';
