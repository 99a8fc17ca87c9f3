import { SchedulerError } from '../errors.js';

/**
 * A telemetry thread ({@link instrumentSchedulerInThread}) failed after it started: the app's
 * setup, its SDK or its exporter threw there, or a flush or shutdown failed. The scheduler runs
 * on; the events it emits from then on are not recorded.
 */
export class TelemetryThreadError extends SchedulerError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('TELEMETRY_THREAD', `telemetry thread: ${message}`, options);
    this.name = 'TelemetryThreadError';
  }
}
