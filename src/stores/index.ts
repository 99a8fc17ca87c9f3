// xeno-scheduler/stores: the in-memory task store, what a store of your own implements and folds,
// and the history port (`RunHistory`: what past runs learned). The SQLite store and history are
// xeno-scheduler/stores/sqlite. A scheduler takes them as `store` and `history`; see
// docs/durable-runs.md and docs/incremental-runs.md.

export { memoryTaskStore, foldTransition, initialTaskState } from './memoryTaskStore.js';
export type { TaskStore, StoredTask, StoredTaskState, StoredError, TaskTransition } from '../core/TaskStore.js';

// The history seam (`history` option; the SQLite one is xeno-scheduler/stores/sqlite's sqliteHistory).
export type { RunHistory, ResultCache, CacheEntry, CachePut, CachedOutput, CacheEntrySummary, PruneOptions, PruneResult } from '../history/RunHistory.js';
