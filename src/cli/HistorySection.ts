import type { PruneOptions } from '../history/RunHistory.js';
import type { SqliteRunHistory } from '../stores/sqlite/sqliteHistory.js';

/**
 * One feature's part of `xeno-scheduler history`: what it keeps in the history file, as text and
 * as JSON (its fields go into the command's one JSON document), and how it is pruned. A feature
 * that keeps something in the history adds its section to {@link HISTORY_SECTIONS}.
 */
export interface HistorySection {
  /** The section's title in the text output. */
  readonly title: string;
  /** The section's fields of the JSON document (top-level keys of their own). */
  json(history: SqliteRunHistory): Record<string, unknown>;
  /** The section as text for people: a table and a line of totals. */
  text(history: SqliteRunHistory, now: number): string;
  /** Prunes what the section keeps; returns one line for people and the JSON of what was removed. */
  prune?(history: SqliteRunHistory, options: PruneOptions): { readonly line: string; readonly json: Record<string, unknown> };
}
