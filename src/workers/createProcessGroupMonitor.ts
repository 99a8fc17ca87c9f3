import { readdirSync, readFileSync } from 'node:fs';
import type { MeasuredUsage } from '../usageTypes.js';

/** What a watched process group used so far. */
export interface GroupUsage {
  /** Highest sum of the members' resident memory seen in one sample, bytes. */
  readonly peakRssBytes: number;
  /** CPU time (user + system) of the members, including their reaped children, ms. */
  readonly cpuMs: number;
  /** Samples taken that found a member. */
  readonly samples: number;
}

/** One watched group: what it used, and what to call when it passes its limit. */
export interface GroupWatch {
  /** Takes a last sample, stops watching, and returns what the group used (undefined where nothing can be measured). */
  stop(): MeasuredUsage | undefined;
  /** What the group used so far. */
  readonly usage: GroupUsage;
}

/** Options of {@link ProcessGroupMonitor.watch}. */
export interface WatchOptions {
  /** Called once, from a sample, when the group's resident memory passes this many bytes. */
  readonly limitBytes?: number;
  readonly onOverLimit?: (usage: GroupUsage) => void;
}

/** Samples the memory and CPU time of process groups (Linux: /proc). */
export interface ProcessGroupMonitor {
  /** True where groups can be measured (a readable /proc). */
  readonly canMeasure: boolean;
  /** Starts watching the group (its id is its leader's pid); samples it at once. */
  watch(groupId: number, options?: WatchOptions): GroupWatch;
}

/** Clock ticks per second of /proc's CPU times (USER_HZ: 100 on every Linux build we know of). */
const TICKS_PER_SECOND = 100;

interface Watched {
  usage: { peakRssBytes: number; cpuMs: number; samples: number };
  readonly limitBytes: number;
  onOverLimit: ((usage: GroupUsage) => void) | undefined;
}

/**
 * Creates a monitor that samples every watched process group every `intervalMs`, with one pass
 * over /proc per sample for all groups: a member's resident memory (VmRSS of /proc/<pid>/status)
 * summed over the group gives its memory at that moment, and the members' CPU times (utime +
 * stime + the reaped children's cutime + cstime of /proc/<pid>/stat) its CPU time; the highest of
 * each over the samples is kept. A member that leaves the group (setsid) is no longer counted,
 * and what a process used between the last sample and its exit is not seen: a command shorter
 * than a sample may show no memory. Where /proc cannot be read (macOS, Windows), nothing is
 * measured and `stop()` returns undefined.
 *
 * @example
 * const watch = sharedMonitor.watch(child.pid!);
 * child.once('exit', () => console.log(watch.stop())); // { peakRssBytes: 157286400, cpuMs: 120, measuredBy: 'proc' }
 */
export function createProcessGroupMonitor(intervalMs = 100, procRoot = '/proc'): ProcessGroupMonitor {
  const canMeasure = readable(`${procRoot}/self/stat`);
  const watched = new Map<number, Watched>();
  let timer: NodeJS.Timeout | undefined;

  const sample = (only?: number): void => {
    const totals = new Map<number, { rss: number; cpu: number; members: number }>();
    let pids: string[];
    try {
      pids = readdirSync(procRoot).filter((name) => name.charCodeAt(0) >= 48 && name.charCodeAt(0) <= 57);
    } catch {
      return;
    }
    for (const pid of pids) {
      const stat = readText(`${procRoot}/${pid}/stat`);
      if (stat === undefined) continue;
      // The command name (field 2) may hold spaces and parentheses: fields count from the last ')'.
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const group = Number(fields[2]);
      if (only !== undefined ? group !== only : !watched.has(group)) continue;
      const ticks = Number(fields[11]) + Number(fields[12]) + Number(fields[13]) + Number(fields[14]);
      const rss = rssBytes(readText(`${procRoot}/${pid}/status`));
      const total = totals.get(group) ?? { rss: 0, cpu: 0, members: 0 };
      total.rss += rss;
      total.cpu += (ticks * 1000) / TICKS_PER_SECOND;
      total.members++;
      totals.set(group, total);
    }
    for (const [group, total] of totals) {
      const entry = watched.get(group);
      if (entry === undefined) continue;
      const usage = entry.usage;
      usage.peakRssBytes = Math.max(usage.peakRssBytes, total.rss);
      usage.cpuMs = Math.max(usage.cpuMs, total.cpu);
      usage.samples++;
      if (entry.onOverLimit !== undefined && usage.peakRssBytes > entry.limitBytes) {
        const onOverLimit = entry.onOverLimit;
        entry.onOverLimit = undefined;
        onOverLimit({ ...usage });
      }
    }
  };

  const unwatch = (groupId: number): void => {
    watched.delete(groupId);
    if (watched.size === 0 && timer !== undefined) {
      clearInterval(timer);
      timer = undefined;
    }
  };

  return {
    canMeasure,
    watch(groupId, options = {}) {
      const entry: Watched = {
        usage: { peakRssBytes: 0, cpuMs: 0, samples: 0 },
        limitBytes: options.limitBytes ?? Number.POSITIVE_INFINITY,
        onOverLimit: options.onOverLimit,
      };
      if (canMeasure) {
        watched.set(groupId, entry);
        // Unreferenced: measuring never keeps a process alive.
        timer ??= setInterval(() => sample(), intervalMs).unref();
        sample(groupId);
      }
      return {
        get usage() {
          return { ...entry.usage };
        },
        stop() {
          if (!canMeasure || watched.get(groupId) !== entry) return undefined;
          sample(groupId);
          unwatch(groupId);
          return { peakRssBytes: entry.usage.peakRssBytes, cpuMs: Math.round(entry.usage.cpuMs), measuredBy: 'proc' };
        },
      };
    },
  };
}

function readable(path: string): boolean {
  return readText(path) !== undefined;
}

function readText(path: string): string | undefined {
  try {
    return readFileSync(path, 'latin1');
  } catch {
    // The process ended between the listing and the read, or /proc is not there.
    return undefined;
  }
}

/** VmRSS of a /proc/<pid>/status text, in bytes (0 for a zombie, which has none). */
function rssBytes(status: string | undefined): number {
  if (status === undefined) return 0;
  const at = status.indexOf('VmRSS:');
  if (at === -1) return 0;
  const kib = Number.parseInt(status.slice(at + 6).trimStart(), 10);
  return Number.isFinite(kib) ? kib * 1024 : 0;
}
