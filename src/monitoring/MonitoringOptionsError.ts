import { SchedulerError } from '../errors.js';

/** {@link instrumentScheduler} or {@link serveMetrics} was given an option it cannot honour (bad port, busy port, not a scheduler…). */
export class MonitoringOptionsError extends SchedulerError {
  /** The option at fault, e.g. `port`. */
  readonly field: string;
  /** What was expected, in words. */
  readonly expected: string;
  /** What was given, as a short string. */
  readonly received: string;
  constructor(origin: string, field: string, expected: string, received: string) {
    super('CONFIGURATION', `${origin}: option "${field}": expected ${expected}, received ${received}`);
    this.name = 'MonitoringOptionsError';
    this.field = field;
    this.expected = expected;
    this.received = received;
  }
}
