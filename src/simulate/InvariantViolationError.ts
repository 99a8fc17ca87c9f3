import { SchedulerError } from '../errors.js';
import type { InvariantViolation } from './invariants.js';

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
