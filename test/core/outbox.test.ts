import mittModule, { type Emitter } from 'mitt';
import { describe, expect, it, vi } from 'vitest';
import { SchedulerError } from '../../src/errors.js';
import type { SchedulerEvents } from '../../src/events.js';
import { Outbox } from '../../src/core/Outbox.js';
import { catchUncaught } from '../support/catchUncaught.js';

// mitt ships CommonJS types whose default export NodeNext sees as the module object.
const mitt = mittModule as unknown as <T extends Record<string, unknown>>() => Emitter<T>;
const record = { id: 't' } as SchedulerEvents['task:started']['task'];

/** Reports `error` through the outbox and returns the process warnings emitted meanwhile. */
async function warningsOf(outbox: Outbox, error: SchedulerError): Promise<Error[]> {
  const warnings: Error[] = [];
  const onWarning = (warning: Error): void => void warnings.push(warning);
  process.on('warning', onWarning);
  try {
    outbox.reportError(error);
    outbox.flush();
    await new Promise((resolve) => setImmediate(resolve));
  } finally {
    process.off('warning', onWarning);
  }
  return warnings;
}

describe('Outbox', () => {
  it('builds no payload once every listener of the event was removed (mitt keeps an empty list behind)', () => {
    const events = mitt<SchedulerEvents>();
    const outbox = new Outbox(events, () => {});
    const listener = vi.fn();
    events.on('task:started', listener);
    events.off('task:started', listener);
    const payload = vi.fn(() => ({ task: record, attempt: 1 }));
    outbox.emit('task:started', payload);
    outbox.flush();
    expect(payload).not.toHaveBeenCalled();
    expect(listener).not.toHaveBeenCalled();
  });

  it('delivers to the listeners of the event, then to the wildcard ones, each once, in the order they were added', () => {
    const events = mitt<SchedulerEvents>();
    const outbox = new Outbox(events, () => {});
    const heard: string[] = [];
    events.on('task:started', () => heard.push('first'));
    events.on('*', (type: string) => heard.push(`any ${type}`));
    events.on('task:started', () => heard.push('second'));
    outbox.emit('task:started', () => ({ task: record, attempt: 1 }));
    outbox.emit('idle', () => undefined);
    outbox.flush();
    expect(heard).toEqual(['first', 'second', 'any task:started', 'any idle']);
  });

  it('takes the listeners as they are when the event is delivered: one removed by an earlier listener still hears this event, as with mitt', () => {
    const events = mitt<SchedulerEvents>();
    const outbox = new Outbox(events, () => {});
    const heard: string[] = [];
    const second = () => heard.push('second');
    events.on('task:started', () => {
      heard.push('first');
      events.off('task:started', second);
      events.on('task:started', () => heard.push('added'));
    });
    events.on('task:started', second);
    outbox.emit('task:started', () => ({ task: record, attempt: 1 }));
    outbox.flush();
    expect(heard).toEqual(['first', 'second']);
    outbox.emit('task:started', () => ({ task: record, attempt: 1 }));
    outbox.flush();
    expect(heard).toEqual(['first', 'second', 'first', 'added']);
  });

  it('keeps delivering after a listener throws, and reports the error on the error event', () => {
    const events = mitt<SchedulerEvents>();
    const outbox = new Outbox(events, () => {});
    const errors: unknown[] = [];
    events.on('error', ({ error }: { error: Error }) => errors.push(error.message));
    events.on('task:started', () => {
      throw new Error('listener broke');
    });
    const after = vi.fn();
    events.on('task:started', after);
    outbox.emit('task:started', () => ({ task: record, attempt: 1 }));
    outbox.emit('task:started', () => ({ task: record, attempt: 2 }));
    outbox.flush();
    expect(errors).toEqual(['listener broke', 'listener broke']);
    expect(after).toHaveBeenCalledTimes(2);
  });
});

describe('Outbox, when the error listener throws', () => {
  it('keeps flushing: the error listener hears each failure once, what it throws is uncaught, and later effects still run', async () => {
    const events = mitt<SchedulerEvents>();
    const outbox = new Outbox(events, () => {});
    const heard: string[] = [];
    events.on('task:started', () => {
      throw new Error('listener broke');
    });
    events.on('error', ({ error }: { error: Error }) => {
      heard.push(error.message);
      throw new Error('error listener broke too');
    });
    await catchUncaught(async (uncaught) => {
      outbox.emit('task:started', () => ({ task: record, attempt: 1 }));
      const ran = vi.fn();
      outbox.push(ran);
      outbox.flush();
      expect(ran).toHaveBeenCalledOnce();
      // Not stuck: the next flush delivers again.
      const later = vi.fn();
      outbox.push(later);
      outbox.flush();
      expect(later).toHaveBeenCalledOnce();
      await new Promise((resolve) => setImmediate(resolve));
      expect(heard).toEqual(['listener broke']);
      expect(uncaught.map((error) => error.message)).toEqual(['error listener broke too']);
    });
  });

  it("hands a listener's error to a wildcard listener and still throws it uncaught when no error listener is there", async () => {
    const events = mitt<SchedulerEvents>();
    const outbox = new Outbox(events, () => {});
    const heard: string[] = [];
    events.on('task:started', () => {
      throw new Error('listener broke');
    });
    events.on('*', (type: string, event: unknown) => {
      if (type === 'error') heard.push((event as { error: Error }).error.message);
    });
    await catchUncaught(async (uncaught) => {
      outbox.emit('task:started', () => ({ task: record, attempt: 1 }));
      outbox.flush();
      await new Promise((resolve) => setImmediate(resolve));
      expect(heard).toEqual(['listener broke']);
      // A wildcard listener (a progress view) hears errors; it does not handle them.
      expect(uncaught.map((error) => error.message)).toEqual(['listener broke']);
    });
  });

  it('reports an error nobody listens to explicitly as a process warning, even with a wildcard listener', async () => {
    const events = mitt<SchedulerEvents>();
    const outbox = new Outbox(events, () => {});
    const heard: string[] = [];
    events.on('*', (type: string) => heard.push(type));
    const warnings = await warningsOf(outbox, new SchedulerError('INTERNAL', 'executor failed'));
    expect(heard).toEqual(['error']);
    expect(warnings.map((warning) => warning.message)).toEqual(['executor failed']);
  });

  it('reports an error with an error listener there to that listener only, no warning', async () => {
    const events = mitt<SchedulerEvents>();
    const outbox = new Outbox(events, () => {});
    const heard: string[] = [];
    events.on('error', ({ error }) => heard.push(error.message));
    const warnings = await warningsOf(outbox, new SchedulerError('INTERNAL', 'executor failed'));
    expect(heard).toEqual(['executor failed']);
    expect(warnings).toEqual([]);
  });
});
