/** Where a command writes: the process's streams, or stand-ins in tests. */
export interface CliIo {
  /** Results: tables, plans, the JSON document. */
  readonly stdout: NodeJS.WritableStream & { readonly isTTY?: boolean; readonly columns?: number };
  /** Errors, and notes that must not mix with a JSON result. */
  readonly stderr: NodeJS.WritableStream;
}

/** The process's own streams. */
export const processIo: CliIo = { stdout: process.stdout, stderr: process.stderr };
