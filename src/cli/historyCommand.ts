import { InvalidOptionsError } from '../errors.js';
import type { PruneOptions } from '../history/RunHistory.js';
import { sqliteHistory } from '../stores/sqlite/sqliteHistory.js';
import type { CliIo } from './CliIo.js';
import { escapeControlCharacters } from './escapeControlCharacters.js';
import { ExitCode } from './ExitCode.js';
import { HISTORY_SECTIONS } from './historySections.js';
import { recommendationYaml } from './usageHistorySection.js';
import { formatBytes } from './parseHistoryLimits.js';

/** The flags of `xeno-scheduler history`. */
export interface HistoryFlags {
  readonly json?: boolean;
  /** Remove entries: those not used for `olderThan` ms, then the oldest past `maxSize` bytes. */
  readonly prune?: boolean;
  readonly olderThan?: number;
  readonly maxSize?: number;
  /** Print the requests the learned estimates recommend, as a YAML fragment of a workload's tasks. */
  readonly recommend?: boolean;
}

/**
 * `xeno-scheduler history <file>`: prints what a history file holds, section by section (the
 * cached results of incremental runs: task, key, size, last used), or as one JSON document; with
 * `--prune`, first removes entries by age (`--older-than 30d`) and by total size (`--max-size
 * 100MB`, the least recently used first, the newest kept). The file must exist; one a run holds
 * is refused by name.
 *
 * @throws HistoryError naming the file; InvalidOptionsError for `--prune` without a limit
 * @example
 * process.exitCode = historyCommand('h.db', { prune: true, olderThan: 30 * 86_400_000 }, processIo, Date.now());
 */
export function historyCommand(file: string, flags: HistoryFlags, io: CliIo, now = Date.now()): ExitCode {
  if (flags.prune === true && flags.olderThan === undefined && flags.maxSize === undefined) {
    throw new InvalidOptionsError('--prune: expected --older-than <age> or --max-size <size> (or both) beside it, received neither', '--prune');
  }
  if (flags.prune !== true && (flags.olderThan !== undefined || flags.maxSize !== undefined)) {
    throw new InvalidOptionsError('--older-than and --max-size: expected beside --prune (they say what to prune), received without it', '--prune');
  }
  const history = sqliteHistory(file, { mustExist: true });
  try {
    const pruned: { line: string; json: Record<string, unknown> }[] = [];
    if (flags.prune === true) {
      const options: PruneOptions = {
        ...(flags.olderThan === undefined ? {} : { usedBefore: now - flags.olderThan }),
        ...(flags.maxSize === undefined ? {} : { maxBytes: flags.maxSize }),
      };
      for (const section of HISTORY_SECTIONS) {
        const result = section.prune?.(history, options);
        if (result !== undefined) pruned.push(result);
      }
      history.compact();
    }
    if (flags.recommend === true) {
      io.stdout.write(recommendationYaml(history));
    } else if (flags.json === true) {
      const document: Record<string, unknown> = { file, version: history.openedVersion, bytes: history.size() };
      for (const section of HISTORY_SECTIONS) Object.assign(document, section.json(history));
      if (flags.prune === true) document.pruned = Object.assign({}, ...pruned.map((result) => result.json));
      io.stdout.write(`${JSON.stringify(document, null, 2)}\n`);
    } else {
      const parts = pruned.map((result) => result.line);
      for (const section of HISTORY_SECTIONS) parts.push(`${section.title}\n${section.text(history, now)}`);
      parts.push(escapeControlCharacters(`${file}: history version ${history.openedVersion}, ${formatBytes(history.size())} on disk`));
      io.stdout.write(`${parts.join('\n\n')}\n`);
    }
  } finally {
    history.close();
  }
  return ExitCode.OK;
}
