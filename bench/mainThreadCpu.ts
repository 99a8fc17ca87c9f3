import { readFileSync } from 'node:fs';

/**
 * CPU time this process's main thread has used, in ms (Linux, from /proc: user + system, at the
 * kernel's 10 ms tick), or undefined where /proc is missing. A process's CPU time counts every
 * thread (V8's garbage collection helpers, a telemetry thread); this one is what the scheduler's
 * own thread spent, so what bounds its throughput when other cores are free.
 *
 * @example
 * const before = mainThreadCpuMs();
 */
export function mainThreadCpuMs(): number | undefined {
  try {
    const stat = readFileSync(`/proc/self/task/${process.pid}/stat`, 'utf8');
    // The fields after the command name (which may hold spaces), from the third on: utime and stime are the 14th and 15th.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return undefined;
  }
}
