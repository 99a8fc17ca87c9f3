// xeno-scheduler/stores: the in-memory task store, and what a store of your own implements and
// folds (the durable SQLite store is xeno-scheduler/stores/sqlite). A scheduler takes one as
// `store`; see docs/durable-runs.md.

export { memoryTaskStore, foldTransition, initialTaskState } from './memoryTaskStore.js';
export type { TaskStore, StoredTask, StoredTaskState, StoredError, TaskTransition } from '../core/TaskStore.js';
