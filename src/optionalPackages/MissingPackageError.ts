import { SchedulerError } from '../errors.js';

/**
 * A package that xeno-scheduler loads for one feature only (an optional peer dependency, so a
 * plain `npm install xeno-scheduler` leaves it out) is not installed in the app.
 */
export class MissingPackageError extends SchedulerError {
  /** The package to install, e.g. `bullmq`. */
  readonly packageName: string;
  /** What needs it, e.g. `a distributed run (type: distributed)`. */
  readonly neededFor: string;
  constructor(packageName: string, neededFor: string, options?: { cause?: unknown }) {
    super(
      'MISSING_PACKAGE',
      `${neededFor} needs the package "${packageName}", which is not installed: run \`npm install ${packageName}\` in your app (xeno-scheduler lists it as an optional peer dependency, so it is not installed with it)`,
      options,
    );
    this.name = 'MissingPackageError';
    this.packageName = packageName;
    this.neededFor = neededFor;
  }
}
