import { describe, expect, it } from 'vitest';
import { createScheduler } from '../../src/core/createScheduler.js';
import type { TaskRecord } from '../../src/types.js';
import { manualWork, settle } from '../support/harness.js';

describe('task:waiting for children', () => {
  it('is emitted when a parent\'s work returns and it waits for its children, with pendingReason children', async () => {
    const s = createScheduler({ maxWorkers: 2, resources: { cpu: 1 } });
    const heard: TaskRecord[] = [];
    s.events.on('task:waiting', ({ task }) => {
      if (task.id === 'split') heard.push(task);
    });
    const child = manualWork();
    s.scheduleTask({ id: 'split', run: (ctx) => (ctx.spawn([{ id: 'a', run: child.run }]), 'split') });
    await settle();
    expect(heard).toHaveLength(1);
    expect(heard[0]).toMatchObject({ status: 'pending', pendingReason: 'children', children: ['a'] });
    child.resolve('A');
    await s.onIdle();
    expect(s.getTaskStatus('split')).toBe('completed');
    expect(heard).toHaveLength(1);
  });

  it('is heard by a "*" listener too, and not for a parent whose children completed before its work returned', async () => {
    const s = createScheduler({ maxWorkers: 3, resources: { cpu: 1 } });
    const waiting: string[] = [];
    s.events.on('*', (type, event) => {
      if (type === 'task:waiting') waiting.push(`${(event as { task: TaskRecord }).task.id} ${String((event as { task: TaskRecord }).task.pendingReason)}`);
    });
    const slowChild = manualWork();
    const doneWork = manualWork();
    s.scheduleTask({ id: 'waits', run: (ctx) => (ctx.spawn([{ id: 'w1', run: slowChild.run }]), 'waits') });
    s.scheduleTask({ id: 'done', run: (ctx) => (ctx.spawn([{ id: 'd1', run: () => 'quick' }]), doneWork.run(ctx)) });
    await settle();
    expect(s.getTaskStatus('d1')).toBe('completed');
    doneWork.resolve('done');
    await settle();
    expect(s.getTaskStatus('done')).toBe('completed');
    expect(waiting.filter((line) => line.startsWith('waits ') || line.startsWith('done '))).toEqual(['waits children']);
    slowChild.resolve('w1');
    await s.onIdle();
  });
});
