import type { TaskPriority } from '../types.js';
import type { XenoConfig } from './configSchema.js';

/** What a workload task runs, as data; the executors turn it into a run function. */
export type TaskRunDescriptor =
  /** A command line, run through a shell. */
  | { readonly kind: 'command'; readonly command: string }
  /** An export of a module (absolute path), called inline or in a worker thread. */
  | { readonly kind: 'module'; readonly module: string; readonly export: string; readonly worker: boolean };

/** A simulated duration, in milliseconds. */
export type TaskDuration =
  | { readonly distribution: 'fixed'; readonly valueMs: number }
  | { readonly distribution: 'uniform'; readonly minMs: number; readonly maxMs: number }
  | { readonly distribution: 'normal'; readonly meanMs: number; readonly stddevMs: number }
  | { readonly distribution: 'exponential'; readonly meanMs: number };

/** One task of a loaded workload, with the configuration's defaults applied and times in ms. */
export interface WorkloadTask {
  /** The task's key in the file; unique, and what dependencies refer to. */
  readonly name: string;
  /** @default 'generic' */
  readonly type: string;
  /** @default the configuration's default_priority */
  readonly priority: TaskPriority;
  /** Names of the tasks that must complete first. */
  readonly dependencies: readonly string[];
  /** Amount of each pool resource held while running, in the pool's units; memory and cpu may be `'auto'` (learned). */
  readonly resources: Readonly<Record<string, number | 'auto'>>;
  /** Per-attempt limit in ms, `0` for none. @default task_scheduler.timeout × 1000 */
  readonly timeoutMs: number;
  /** Retries after a failed run (runs = retries + 1). @default task_scheduler.retry_attempts */
  readonly retries: number;
  /** Crash interruptions a resumed run tolerates before the task fails (apart from retries). @default task_scheduler.max_interruptions */
  readonly maxInterruptions: number;
  /** Estimated duration in ms, for policies and simulation; `'auto'`: the learned one. */
  readonly estimateMs: number | 'auto' | undefined;
  /** `memory_limit: enforce`. */
  readonly memoryLimit: 'enforce' | undefined;
  /** Simulated duration, for the simulator. */
  readonly duration: TaskDuration | undefined;
  /** Fair-share group; undefined leaves the scheduler's default. */
  readonly group: string | undefined;
  /** For a command, environment variables `XENO_CONFIG_<KEY>` (and `XENO_CONFIG_JSON`); `ctx.config` for a module. */
  readonly config: Readonly<Record<string, string | number | boolean>>;
  /** What to run; undefined for a simulation-only task (which `run` must refuse and `simulate` accepts). */
  readonly run: TaskRunDescriptor | undefined;
  /**
   * How the task is cached with a history (`--history`): its inputs, outputs and env_inputs, with
   * paths relative to `baseDir` (the workload file's folder); undefined when it declares none.
   */
  readonly cache: WorkloadTaskCache | undefined;
  /** Running it twice at once is harmless (`idempotent: true`): speculate may back it up. */
  readonly idempotent?: boolean;
  /** A race's alternatives (named `<race>/<index>`), run as its children; undefined for other tasks. */
  readonly race?: readonly WorkloadTask[];
}

/** A workload task's cache settings (see docs/incremental-runs.md). */
export interface WorkloadTaskCache {
  /** The workload file's folder (absolute): inputs and outputs are relative to it. */
  readonly baseDir: string;
  /** Files and globs it reads; undefined when it declares none (then it is not cacheable). */
  readonly inputs: readonly string[] | undefined;
  readonly outputs: readonly string[];
  readonly envInputs: readonly string[];
  /** `cache: false` in the file. */
  readonly enabled: boolean;
}

/** A loaded, validated workload. */
export interface Workload {
  /** The workload file's path, as given. */
  readonly file: string;
  /** The configuration in force: the override, the file's own, or the defaults. */
  readonly config: XenoConfig;
  /** The configuration file the workload's `config` names (absolute), when it names one and it was read. */
  readonly configFile?: string;
  /** The tasks, in file order. */
  readonly tasks: readonly WorkloadTask[];
}
