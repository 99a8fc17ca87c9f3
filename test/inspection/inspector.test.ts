import { connect } from 'node:net';
import { createWebSocketInspector, createWebSocketReceiver, type StatelyInspectionEvent } from '@statelyai/inspect';
import { createInspectorServer } from '@statelyai/inspect/server';
import { describe, expect, it } from 'vitest';
import type { StateValue } from 'xstate';
import { createScheduler } from '../../src/core/createScheduler.js';
import { stateValueToPath } from '../../src/inspection/stateValueToPath.js';
import { freePort } from '../support/freePort.js';

async function waitFor(condition: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

async function waitForListening(port: number): Promise<void> {
  let isListening = false;
  await waitFor(() => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      isListening = true;
      socket.end();
    });
    socket.once('error', () => socket.destroy());
    return isListening;
  }, `the relay on port ${port}`);
}

describe('Stately inspector (@statelyai/inspect) over its own WebSocket relay', () => {
  it('shows the scheduler actor, one actor per task and every task snapshot to its final state', async () => {
    const port = await freePort();
    const relay = createInspectorServer({ port, autoOpen: false });
    await waitForListening(port);
    const url = `ws://127.0.0.1:${port}`;
    const received: StatelyInspectionEvent[] = [];
    createWebSocketReceiver({ server: url }).subscribe((event) => received.push(event));
    const inspector = createWebSocketInspector({ url });
    // The relay forwards only to clients connected at the time: wait until a probe makes the round trip.
    await waitFor(() => {
      inspector.event('probe', { type: 'probe' });
      return received.some((event) => event.type === '@xstate.event' && event.sessionId === 'probe');
    }, 'the inspector and the receiver to be connected');

    const scheduler = createScheduler({ inspect: inspector.inspect, maxWorkers: 2, defaultRetry: { attempts: 1 } });
    try {
      scheduler.scheduleTasks([
        { id: 'extract', run: async () => 'rows' },
        { id: 'transform', dependencies: ['extract'], run: async () => 'clean rows' },
        {
          id: 'load',
          dependencies: ['transform'],
          run: async () => {
            throw new Error('disk full');
          },
        },
      ]);
      await scheduler.onIdle();
      const rootId = scheduler.actor.sessionId;
      const actors = () => received.filter((event) => event.type === '@xstate.actor');
      const taskActor = (id: string) => actors().find((event) => event.name === id && event.parentId === rootId);
      const finalOf = (sessionId: string | undefined) =>
        received.some((event) => event.type === '@xstate.snapshot' && event.sessionId === sessionId && event.snapshot.status === 'done');
      await waitFor(() => ['extract', 'transform', 'load'].every((id) => finalOf(taskActor(id)?.sessionId)), 'every task to reach a final snapshot');

      expect(actors().filter((event) => event.sessionId === rootId)).toHaveLength(1);
      for (const id of ['extract', 'transform', 'load']) {
        expect(actors().filter((event) => event.name === id && event.parentId === rootId)).toHaveLength(1);
      }
      const pathsOf = (id: string): string[] => {
        const sessionId = taskActor(id)?.sessionId;
        const paths = received.flatMap((event) =>
          event.type === '@xstate.snapshot' && event.sessionId === sessionId ? [stateValueToPath((event.snapshot as unknown as { value: StateValue }).value)] : [],
        );
        return paths.filter((path, index) => path !== paths[index - 1]);
      };
      expect(pathsOf('extract')).toEqual(['pending.queued', 'running', 'completed']);
      expect(pathsOf('transform')).toEqual(['pending.dependencies', 'pending.queued', 'running', 'completed']);
      expect(pathsOf('load')).toEqual(['pending.dependencies', 'pending.queued', 'running', 'failed']);
    } finally {
      await scheduler.stop();
      inspector.stop();
      relay.stop();
    }
  });
});
