import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { createScheduler } from '../../src/core/createScheduler.js';
import { bullmqExecutor, remoteHandlers } from '../../src/distributed/index.js';
import { sqliteStore } from '../../src/stores/sqlite/index.js';
import type { TaskRecord } from '../../src/types.js';
import { RESTART_TASKS } from '../fixtures/distributed/restartTasks.js';
import { eventually, readLog, type LogEntry } from './coordinator.js';
import { redisForSuite } from './redisForSuite.js';
import { type TestRedis } from './startRedis.js';
import { requireTool } from '../support/requireTool.js';
import { startWorkers, type WorkerProcess } from './startWorkers.js';

const COORDINATOR = fileURLToPath(new URL('../fixtures/distributed/coordinatorProcess.ts', import.meta.url));

const entry = (log: readonly LogEntry[], task: string, event: LogEntry['event']): LogEntry | undefined => log.find((e) => e.task === task && e.event === event);

describe.skipIf(requireTool('redis-server') !== undefined)('createScheduler on sqliteStore + bullmqExecutor, the coordinator SIGKILLed and restarted', () => {
  let redis: TestRedis;
  let workers: WorkerProcess[] = [];
  redisForSuite((started) => (redis = started), () => Promise.all(workers.map((worker) => worker.kill())));

  it("re-attaches to the store's running attempts by the store's runId, delivers what ended meanwhile, and times out from the stored start", async () => {
    const prefix = 'restore';
    workers = await startWorkers(redis.url, [
      { node: 'a', prefix, concurrency: 2, lockDurationMs: 2000 },
      { node: 'b', prefix, concurrency: 2, lockDurationMs: 2000 },
    ]);
    const file = join(mkdtempSync(join(tmpdir(), 'xeno-restore-')), 'run.db');
    const child = spawn(process.execPath, ['--import', 'tsx', COORDINATOR, JSON.stringify({ url: redis.url, file, prefix })], { stdio: ['ignore', 'pipe', 'inherit'] });
    const exited = new Promise<NodeJS.Signals | null>((resolve) => child.once('exit', (_code, signal) => resolve(signal)));
    await eventually(async () => {
      const log = await readLog(redis.url, prefix);
      return ['survivor', 'while-down', 'too-slow'].every((task) => entry(log, task, 'start') !== undefined);
    }, 20_000);
    child.kill('SIGKILL');
    expect(await exited).toBe('SIGKILL');
    const killedAt = Date.now();
    await eventually(async () => entry(await readLog(redis.url, prefix), 'while-down', 'end') !== undefined);
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, killedAt + 1000 - Date.now())));

    const store = sqliteStore(file);
    const executor = bullmqExecutor({ connection: redis.url, nodes: ['a', 'b'], prefix, runId: store.runId, checkIntervalMs: 200 });
    await executor.ready();
    const restartedAt = Date.now();
    const scheduler = createScheduler({ store, executor, handlers: remoteHandlers(['sleep']), defaultRetry: { attempts: 1 } });
    let tooSlow: TaskRecord | undefined;
    try {
      scheduler.scheduleTasks(RESTART_TASKS); // already stored: adds nothing
      await scheduler.onIdle();
      expect(scheduler.recovered?.interrupted.map((attempt) => attempt.id).sort()).toEqual(['survivor', 'too-slow', 'while-down']);
      const found = Object.fromEntries(executor.adoptions().map((adoption) => [adoption.taskId, adoption.found]));
      expect(found).toEqual({ survivor: 'running', 'too-slow': 'running', 'while-down': 'finished' });
      const tasks = Object.fromEntries(scheduler.listTasks().map((task) => [task.id, [task.status, task.attempts, task.node !== undefined]]));
      expect(tasks).toEqual({ before: ['completed', 1, false], survivor: ['completed', 1, true], 'while-down': ['completed', 1, true], 'too-slow': ['failed', 1, true] });
      expect(scheduler.getTask('survivor')?.result).toMatch(/^survivor on [ab]$/);
      expect(scheduler.getTask('too-slow')?.error).toMatchObject({ name: 'TaskTimeoutError', code: 'TASK_TIMEOUT' });
      tooSlow = scheduler.getTask('too-slow');
    } finally {
      await scheduler.stop({ graceMs: 2000 });
      await executor.close();
      store.close();
    }

    const log = await readLog(redis.url, prefix);
    for (const task of ['before', 'survivor', 'while-down', 'too-slow']) expect(log.filter((e) => e.task === task && e.event === 'start'), task).toHaveLength(1);
    // The timeout ran from the attempt's stored start (2.5 s), not from the restart (which came > 1 s
    // later): the scheduler ended the attempt before a deadline counted from the restart could fire.
    // (Its own record, not the worker's abort, which also waits for the cancel to cross Redis.)
    const start = entry(log, 'too-slow', 'start') as LogEntry;
    const aborted = entry(log, 'too-slow', 'aborted') as LogEntry;
    expect(aborted.reason).toBe('TaskTimeoutError');
    expect(aborted.at - start.at).toBeGreaterThanOrEqual(2400);
    expect(tooSlow?.completedAt).toBeLessThan(restartedAt + 2500);
  }, 40_000);

  it('counts an attempt whose job no node holds as an interruption: started again without using a retry, not failed', async () => {
    const prefix = 'gone';
    const file = join(mkdtempSync(join(tmpdir(), 'xeno-restore-')), 'run.db');
    // No worker yet: `before` is started (journaled) but its job is never placed on a node.
    const child = spawn(process.execPath, ['--import', 'tsx', COORDINATOR, JSON.stringify({ url: redis.url, file, prefix })], { stdio: ['ignore', 'pipe', 'inherit'] });
    const exited = new Promise<NodeJS.Signals | null>((resolve) => child.once('exit', (_code, signal) => resolve(signal)));
    let stdout = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    await eventually(() => stdout.includes('scheduled '), 20_000);
    // Past the first commit after the dispatch (one tick): the store says `before` runs.
    await new Promise((resolve) => setTimeout(resolve, 300));
    child.kill('SIGKILL');
    expect(await exited).toBe('SIGKILL');

    workers = await startWorkers(redis.url, [{ node: 'a', prefix, concurrency: 2, lockDurationMs: 2000 }]);
    const store = sqliteStore(file);
    const executor = bullmqExecutor({ connection: redis.url, nodes: ['a', 'b'], prefix, runId: store.runId, checkIntervalMs: 200 });
    await executor.ready();
    // No retry at all: before this change the lost job used it up and `before` failed.
    const scheduler = createScheduler({ store, executor, handlers: remoteHandlers(['sleep']), defaultRetry: { attempts: 1 } });
    try {
      scheduler.scheduleTasks(RESTART_TASKS);
      await scheduler.onIdle();
      expect(scheduler.recovered?.interrupted).toEqual([{ id: 'before', attempt: 1 }]);
      expect(executor.adoptions().map((adoption) => [adoption.taskId, adoption.found])).toEqual([['before', 'gone']]);
      expect(scheduler.listTasks().map((task) => [task.id, task.status, task.attempts])).toEqual([
        ['before', 'completed', 2],
        ['survivor', 'completed', 1],
        ['while-down', 'completed', 1],
        ['too-slow', 'failed', 1],
      ]);
    } finally {
      await scheduler.stop({ graceMs: 2000 });
      await executor.close();
      store.close();
    }
    const reader = sqliteStore(file, { readOnly: true });
    expect(reader.load().find((state) => state.task.id === 'before')).toMatchObject({ status: 'completed', attempt: 2, interruptedAttempts: 1 });
    reader.close();
    expect((await readLog(redis.url, prefix)).filter((e) => e.task === 'before' && e.event === 'start')).toHaveLength(1);
  }, 40_000);
});
