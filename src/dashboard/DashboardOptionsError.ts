import { SchedulerError } from '../errors.js';

/** `startDashboard` was given options it cannot honour (bad port, non-loopback host without a token…). */
export class DashboardOptionsError extends SchedulerError {
  /** The option at fault, e.g. `token`. */
  readonly field: string;
  /** What was expected, in words. */
  readonly expected: string;
  /** What was given, as a short string. */
  readonly received: string;
  constructor(field: string, expected: string, received: string, hint = '') {
    super('CONFIGURATION', `startDashboard: option "${field}": expected ${expected}, received ${received}${hint ? ` (${hint})` : ''}`);
    this.name = 'DashboardOptionsError';
    this.field = field;
    this.expected = expected;
    this.received = received;
  }
}
