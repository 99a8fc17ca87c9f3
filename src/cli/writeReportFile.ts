import { writeFileSync } from 'node:fs';

/**
 * Writes the run's JSON document to the `--report` file. A write can still fail after
 * {@link checkReportPath} passed (a full disk, `/dev/full`, the folder removed meanwhile); that is
 * returned as one line naming the file, not thrown, so the run's summary is still printed.
 *
 * @returns undefined when written, else the problem, e.g.
 * `--report /dev/full: could not write the report: ENOSPC (no space left on device)`
 * @example
 * const problem = writeReportFile('report.json', document);
 * if (problem !== undefined) process.stderr.write(`error: ${problem}\n`);
 */
export function writeReportFile(path: string, document: string): string | undefined {
  try {
    writeFileSync(path, document);
    return undefined;
  } catch (error) {
    const { code, message } = error as NodeJS.ErrnoException;
    const reason = code === undefined ? message : `${code} (${message.replace(/^\w+: /, '').replace(/, \w+( '.*')?$/, '')})`;
    return `--report ${path}: could not write the report: ${reason}`;
  }
}
