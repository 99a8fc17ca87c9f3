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
  /** Every package that feature needs, the one missing among them: what to install. */
  readonly install: readonly string[];
  constructor(packageName: string, neededFor: string, options?: { cause?: unknown; install?: readonly string[] }) {
    const install = options?.install ?? [packageName];
    const also = install.length > 1 ? ` (with ${install.filter((name) => name !== packageName).join(', ')})` : '';
    super(
      'MISSING_PACKAGE',
      `${neededFor} needs the package "${packageName}"${also}, which is not installed: run \`npm install ${install.join(' ')}\` in your app (xeno-scheduler lists ${install.length > 1 ? 'them as optional peer dependencies, so they are' : 'it as an optional peer dependency, so it is'} not installed with it)`,
      options?.cause === undefined ? undefined : { cause: options.cause },
    );
    this.name = 'MissingPackageError';
    this.packageName = packageName;
    this.neededFor = neededFor;
    this.install = install;
  }
}
