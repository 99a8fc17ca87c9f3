import { describe, expect, it } from 'vitest';
import { TelemetryDecoder } from '../../src/monitoring/TelemetryDecoder.js';
import { TelemetryEncoder } from '../../src/monitoring/TelemetryEncoder.js';
import type { ToTelemetry } from '../../src/monitoring/TelemetryMessages.js';
import type { SchedulerStats, TaskRecord } from '../../src/types.js';

const STATS: SchedulerStats = { pending: 0, running: 0, dispatched: 0, queued: 0, completed: 0, failed: 0, cancelled: 0, maxWorkers: 4, paused: false, resources: {} };

function record(id: string, status: TaskRecord['status']): TaskRecord {
  return {
    ...{ id, name: id, type: 'work', priority: 3, status, pendingReason: undefined, attempts: 1, maxAttempts: 1, dependencies: [], resources: {}, group: '' },
    ...{ estimateMs: undefined, createdAt: 0, readyAt: 0, startedAt: 1, completedAt: status === 'running' ? undefined : 2, result: undefined, error: undefined, node: undefined, cached: false, ranBecause: undefined },
  };
}

describe('TelemetryEncoder', () => {
  it('while the thread is maxBacklog events behind drops starts, never the end of an attempt whose start went: no span is left open in the thread', () => {
    const batches: ArrayBuffer[] = [];
    const post = (message: ToTelemetry): void => void (message.type === 'events' && batches.push(message.buffer));
    // The thread records nothing meanwhile: the backlog only grows.
    const encoder = new TelemetryEncoder(post, () => STATS, { spans: false, recorded: () => 0, maxBacklog: 2 });
    encoder.started(record('a', 'running'), 1);
    encoder.started(record('b', 'running'), 1);
    encoder.started(record('c', 'running'), 1); // 2 behind: dropped
    encoder.ended(record('c', 'completed'), 'completed', {}); // its start never went: dropped too
    encoder.ended(record('a', 'completed'), 'completed', {}); // its start went: sent, however far behind
    encoder.retrying(record('b', 'pending'), new Error('flaky'), 2);
    encoder.postNow();
    expect(encoder.dropped).toBe(2);

    const heard: string[] = [];
    const decoder = new TelemetryDecoder([
      {
        started: (task) => void heard.push(`started ${task.id}`),
        retrying: (task) => void heard.push(`retrying ${task.id}`),
        ended: (task, status) => void heard.push(`${status} ${task.id}`),
      },
    ]);
    for (const batch of batches) decoder.apply(batch);
    expect(heard).toEqual(['started a', 'started b', 'completed a', 'retrying b']);
  });
});
