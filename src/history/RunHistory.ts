/**
 * The history: what past runs learned, kept in one file that outlives runs (`--history h.db`,
 * `sqliteHistory('h.db')`). It is independent of a run's journal (`--state`): `--fresh`
 * discards a run, never the history. Each feature that learns from past runs has its own
 * section here, and its own tables in the file: the result cache (incremental runs) is
 * {@link RunHistory.cache}.
 *
 * This is the port the core sees; the SQLite adapter (`xeno-scheduler/stores/sqlite`) implements
 * it, and no part of the core imports the adapter.
 */
export interface RunHistory {
  /** The history's file, as given. */
  readonly file: string;
  /** The cached results of cacheable tasks, by cache key. */
  readonly cache: ResultCache;
  /**
   * What attempts used (learned estimates: durations, peak memory, CPU), as decaying statistics
   * per task and per type. Absent: the scheduler learns nothing across runs.
   */
  readonly usage?: UsageHistory;
  /**
   * Writes what is still pending (learned usage put in the last turn), then releases the file
   * (another run may open it then). Idempotent. Throws a `HistoryError` when what was pending could
   * not be written, or an earlier deferred write failed and nothing reported it yet; the file is
   * released all the same.
   */
  close(): void;
}

/** One output file of a cached task: its path (relative to the task's base folder) and content. */
export interface CachedOutput {
  /** Relative to the task's base folder, with `/` separators. */
  readonly path: string;
  /** SHA-256 of the content, hex: the content's name in the history (stored once per content). */
  readonly hash: string;
  readonly size: number;
  /** The file's permission bits (`0o755` for an executable output). */
  readonly mode: number;
}

/** What the history keeps of a task run that completed, under its cache key. */
export interface CacheEntry {
  readonly key: string;
  /** The task's name when it was stored (for people: the key is what is looked up). */
  readonly task: string;
  readonly type: string;
  /** The task's result (for a command: its exit code, stdout and stderr), as JSON holds it. */
  readonly result: unknown;
  /** Its declared output files as they were when it completed. */
  readonly outputs: readonly CachedOutput[];
  /** When it was stored, ms since the epoch. */
  readonly createdAt: number;
  /** When a run last used it (stored or hit), ms since the epoch. */
  readonly usedAt: number;
  /** What its key was made of (file hashes, not contents), to say what changed on a later miss. */
  readonly parts: unknown;
}

/** What {@link ResultCache.put} stores: the entry, and the content of every output by hash. */
export interface CachePut {
  readonly key: string;
  readonly task: string;
  readonly type: string;
  readonly result: unknown;
  readonly outputs: readonly CachedOutput[];
  /** The content of each output, by its hash; a content the history holds already may be left out. */
  readonly contents: ReadonlyMap<string, Uint8Array>;
  readonly at: number;
  /** What the key was made of (JSON), kept to say what changed on a later miss. */
  readonly parts: unknown;
}

/** One entry as `xeno-scheduler history` lists it. */
export interface CacheEntrySummary {
  readonly key: string;
  readonly task: string;
  readonly type: string;
  readonly outputs: number;
  /** Bytes of its result and of its outputs' contents (a content shared with another entry counts in both). */
  readonly bytes: number;
  readonly createdAt: number;
  readonly usedAt: number;
}

/** What to prune: entries not used since `olderThan`, then the least recently used past `maxBytes`. */
export interface PruneOptions {
  /** Entries last used before this time (ms since the epoch) are removed. */
  readonly usedBefore?: number;
  /** After that, the least recently used entries are removed until the cache holds at most this many bytes. */
  readonly maxBytes?: number;
}

/** What a prune removed. */
export interface PruneResult {
  readonly entries: number;
  /** Output contents no entry refers to any more. */
  readonly contents: number;
  /** Bytes freed (results and contents). */
  readonly bytes: number;
}

/**
 * The result cache: completed runs of cacheable tasks by cache key, and their output files'
 * contents by hash (each distinct content kept once). Only completed runs are ever put here.
 */
export interface ResultCache {
  /** The entry under `key`, or undefined; marks it used at `at`. */
  get(key: string, at: number): CacheEntry | undefined;
  /** The key parts of the entry stored last for a task of this name, if any (to say why it runs again). */
  latestParts(task: string): unknown;
  /** Stores (or replaces) an entry and the contents it needs, in one transaction. */
  put(entry: CachePut): void;
  /** The content stored under `hash`, or undefined when the history does not have it. */
  content(hash: string): Uint8Array | undefined;
  /** Every entry, the most recently used first. */
  list(): CacheEntrySummary[];
  /** Totals: entries, distinct contents, and the bytes of results plus contents. */
  totals(): { readonly entries: number; readonly contents: number; readonly bytes: number };
  /** Removes entries by age and by size, keeping the newest; then contents nothing refers to. */
  prune(options: PruneOptions): PruneResult;
}

/**
 * One row of the learned usage: a task's statistics (keyed by its name and what it runs) or a
 * type's (keyed by the type). `stats` is the JSON of `UsageStats` (decaying histograms); the
 * history keeps it as it is given and hands it back as it was.
 */
export interface UsageHistoryRow {
  readonly kind: 'task' | 'type';
  readonly key: string;
  readonly name: string;
  readonly type: string;
  /** What the task runs (its command line, `module#export`); '' for a type's row. */
  readonly runs: string;
  readonly stats: unknown;
  /** When the row was last written, ms since the epoch. */
  readonly updatedAt: number;
}

/** The learned usage: every row read once when a run starts, a row written when an attempt ends. */
export interface UsageHistory {
  /** Every row. */
  list(): UsageHistoryRow[];
  /**
   * Stores (or replaces) a row. It may be written later (the SQLite history writes the rows put
   * within one turn of the event loop together, and before `list`, `prune` and its `close`); a
   * deferred write that failed is thrown by the next `put`, which the scheduler reports.
   */
  put(row: UsageHistoryRow): void;
  /** Removes the rows last written before `updatedBefore` (ms since the epoch); returns how many. */
  prune(updatedBefore: number): number;
}
