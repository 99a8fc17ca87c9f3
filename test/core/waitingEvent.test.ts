import { describe, expect, it } from 'vitest';
import { manualWork, settle, simulatedScheduler } from '../support/harness.js';

/**
 * Runs one story and returns every `task:waiting` heard, as `id reason`: a task `a` holding the
 * whole cpu pool, `c` set aside for cpu, `b` waiting for `a`; a pause and a resume; `a` ends.
 */
async function waitingStory(liveActorLimit: number): Promise<string[]> {
  const heard: string[] = [];
  const work = manualWork();
  const { scheduler } = simulatedScheduler({ liveActorLimit, maxWorkers: 2, resources: { cpu: 2 }, defaultTimeoutMs: 0 });
  scheduler.events.on('task:waiting', ({ task }) => heard.push(`${task.id} ${task.pendingReason}`));
  scheduler.scheduleTasks([
    { id: 'a', resources: { cpu: 2 }, run: work.run },
    { id: 'b', dependencies: ['a'], run: async () => 'b' },
    { id: 'c', resources: { cpu: 1 }, run: async () => 'c' },
  ]);
  await settle();
  heard.push('-- pause');
  scheduler.pause();
  heard.push('-- resume');
  scheduler.resume();
  await settle();
  heard.push('-- a ends');
  work.resolve('a');
  await scheduler.onIdle();
  expect(scheduler.listTasks().map((task) => task.status)).toEqual(['completed', 'completed', 'completed']);
  await scheduler.stop();
  return heard;
}

describe('the task:waiting event', () => {
  it('tells every change of why a pending task waits, the same whether the task has an actor or is dormant', async () => {
    const expected = [
      'c resources',
      '-- pause',
      'c paused',
      '-- resume',
      'c queued',
      'c resources',
      '-- a ends',
      'b queued',
    ];
    expect(await waitingStory(Number.POSITIVE_INFINITY)).toEqual(expected);
    expect(await waitingStory(0)).toEqual(expected);
  });


  it('comes after the completion that made the task ready, so a listener never sees it ready while its dependency runs', async () => {
    const { scheduler } = simulatedScheduler({ liveActorLimit: 0 });
    const heard: string[] = [];
    scheduler.events.on('*', (type, event) => {
      const task = (event as { task?: { id: string } } | undefined)?.task;
      if (task !== undefined) heard.push(`${type} ${task.id}`);
    });
    scheduler.scheduleTasks([{ id: 'a', run: async () => 1 }, { id: 'b', dependencies: ['a'], run: async () => 2 }]);
    await scheduler.onIdle();
    expect(heard).toEqual([
      'task:scheduled a',
      'task:scheduled b',
      'task:started a',
      'task:completed a',
      'task:waiting b',
      'task:started b',
      'task:completed b',
    ]);
    await scheduler.stop();
  });
});
