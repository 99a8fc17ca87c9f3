import { describe, expect, it } from 'vitest';
import { createMachine, type MachineConfig } from 'xstate';
import { exportMachines } from '../../src/inspection/exportMachines.js';
import { machinesToJson, type StatechartJson } from '../../src/inspection/machinesToJson.js';
import { stateValueToPath } from '../../src/inspection/stateValueToPath.js';
import { toStatechartOutline, type StateNodeJson } from '../../src/inspection/toStatechartOutline.js';

describe('stateValueToPath', () => {
  it('writes atomic, nested and parallel state values as dotted leaf paths', () => {
    expect(stateValueToPath('running')).toBe('running');
    expect(stateValueToPath({ pending: 'backoff' })).toBe('pending.backoff');
    expect(stateValueToPath({ a: { b: 'c' } })).toBe('a.b.c');
    expect(stateValueToPath({ upload: 'busy', log: { open: 'idle' } })).toBe('upload.busy, log.open.idle');
    expect(stateValueToPath({ region: {} })).toBe('region');
  });
});

describe('machinesToJson', () => {
  const machines = machinesToJson();

  it('exports the task statechart and every custom actor logic, each by name', () => {
    expect(machines.map((machine) => [machine.name, machine.kind])).toEqual([
      ['task', 'statechart'],
      ['scheduler', 'actor-logic'],
      ['resourcePool', 'actor-logic'],
      ['dependencyGraph', 'actor-logic'],
      ['priorityHeap', 'actor-logic'],
    ]);
    const pool = machines.find((machine) => machine.name === 'resourcePool');
    expect(pool?.kind === 'actor-logic' && pool.events.map((event) => [event.type, event.payload])).toEqual([
      ['pool.allocate', ['owner', 'request']],
      ['pool.release', ['owner']],
      ['pool.reserve', ['amounts']],
    ]);
  });

  it('gives a config that XState (and so the Stately editor) rebuilds into the same states', () => {
    const task = machines[0] as StatechartJson;
    const rebuilt = createMachine(task.config as MachineConfig<any, any>);
    const paths = (definition: unknown) => toStatechartOutline(definition as StateNodeJson).states.map((state) => state.path);
    expect(paths(JSON.parse(JSON.stringify(rebuilt.toJSON())))).toEqual(paths(task.definition));
    expect(paths(task.definition)).toEqual([
      'pending',
      'pending.dependencies',
      'pending.queued',
      'pending.resources',
      'pending.dispatched',
      'pending.paused',
      'pending.children',
      'pending.backoff',
      'running',
      'completed',
      'failed',
      'cancelled',
    ]);
  });

  it('is plain JSON: exportMachines round-trips through JSON.parse', () => {
    expect(JSON.parse(exportMachines())).toEqual(machines);
  });
});

describe('toStatechartOutline', () => {
  it('lists states with parents and initial flags, and labels event and delayed transitions', () => {
    const machine = createMachine({
      id: 'm',
      initial: 'a',
      states: {
        a: { initial: 'x', states: { x: { on: { next: 'y' } }, y: {} }, on: { go: 'b' } },
        b: { after: { 500: 'a' } },
      },
    });
    const outline = toStatechartOutline(machine.toJSON() as StateNodeJson);
    expect(outline.states).toEqual([
      { id: 'm.a', path: 'a', key: 'a', parent: null, type: 'compound', isInitial: true },
      { id: 'm.a.x', path: 'a.x', key: 'x', parent: 'm.a', type: 'atomic', isInitial: true },
      { id: 'm.a.y', path: 'a.y', key: 'y', parent: 'm.a', type: 'atomic', isInitial: false },
      { id: 'm.b', path: 'b', key: 'b', parent: null, type: 'atomic', isInitial: false },
    ]);
    expect(outline.transitions).toEqual([
      { source: 'm.a', target: 'm.b', event: 'go' },
      { source: 'm.a.x', target: 'm.a.y', event: 'next' },
      { source: 'm.b', target: 'm.a', event: 'after 500' },
    ]);
  });
});
