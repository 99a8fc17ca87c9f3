import { spawn } from 'node:child_process';

/**
 * Leaves `file` as a run killed with SIGKILL leaves it: a child process opens the store, adds
 * `count` tasks, completes the first `completed` of them and commits (the tasks and transitions
 * are then in the -wal file, not yet checkpointed into the store), and is killed.
 */
export async function crashAfterWriting(file: string, count: number, completed = 0): Promise<void> {
  const module = (path: string): string => JSON.stringify(new URL(path, import.meta.url).href);
  const script = `
    const { sqliteStore } = await import(${module('../../src/stores/sqlite/sqliteStore.ts')});
    const { storedTask } = await import(${module('./storedTask.ts')});
    const store = sqliteStore(${JSON.stringify(file)});
    store.load();
    store.addTasks(Array.from({ length: ${count} }, (_, i) => storedTask('t' + i, i)));
    for (let i = 0; i < ${completed}; i++) {
      store.record({ kind: 'started', id: 't' + i, at: 10, attempt: 1 });
      store.record({ kind: 'completed', id: 't' + i, at: 20, attempt: 1, result: i });
    }
    store.commit();
    process.stdout.write('written\\n');
    setInterval(() => {}, 1000);
  `;
  const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise<void>((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`the writing child exited with ${String(code)} before it wrote`)));
    child.stdout.once('data', () => resolve());
  });
  child.removeAllListeners('exit');
  await new Promise<void>((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGKILL');
  });
}
