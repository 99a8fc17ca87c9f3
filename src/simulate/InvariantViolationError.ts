import { SchedulerError } from '../errors.js';

/** The name of each invariant, as it appears in a violation. */
export type InvariantName =
  | 'max-workers'
  | 'over-commit'
  | 'dependency-order'
  | 'illegal-transition'
  | 'not-final'
  | 'dispatch-order'
  | 'starvation';

/** One broken invariant: which, when (clock ms), which tasks, and a sentence. */
export interface InvariantViolation {
  readonly invariant: InvariantName;
  readonly time: number;
  readonly tasks: readonly string[];
  readonly message: string;
}

/** Thrown by `assertInvariants`: lists every violation found, one per line. */
export class InvariantViolationError extends SchedulerError {
  readonly violations: readonly InvariantViolation[];
  constructor(violations: readonly InvariantViolation[]) {
    const shown = violations.slice(0, 20).map((v) => `  [${v.invariant}] t=${v.time} ms: ${v.message}`);
    const more = violations.length > shown.length ? [`  … and ${violations.length - shown.length} more`] : [];
    super('INVARIANT_VIOLATION', [`${violations.length} scheduling invariant violation(s):`, ...shown, ...more].join('\n'));
    this.name = 'InvariantViolationError';
    this.violations = violations;
  }
}
