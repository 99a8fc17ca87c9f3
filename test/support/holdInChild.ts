import { spawn } from 'node:child_process';

/**
 * Runs `script` (an ES module body) in a child Node with tsx; resolves once it prints a line, with
 * a function that tells it to exit and waits for it. For a file another live process holds.
 */
export function holdInChild(script: string): Promise<{ exit: () => Promise<void> }> {
  const body = `${script}\nprocess.stdout.write('held\\n');\nprocess.stdin.on('data', () => process.exit(0));`;
  const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', body], { stdio: ['pipe', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.stdout.once('data', () =>
      resolve({ exit: () => new Promise((done) => (child.once('exit', () => done()), child.stdin.write('x'))) }),
    );
  });
}

/** A child that holds the history file `file` open, as a run does. */
export function holdHistory(file: string): Promise<{ exit: () => Promise<void> }> {
  const module = JSON.stringify(new URL('../../src/stores/sqlite/sqliteHistory.ts', import.meta.url).href);
  // Bound at the module's top level: an unreferenced database may be garbage-collected, and
  // better-sqlite3 then closes it and releases the file (the refusal this stands for would not come).
  return holdInChild(`const { sqliteHistory } = await import(${module});\nconst held = sqliteHistory(${JSON.stringify(file)});\nheld.cache.list();`);
}
