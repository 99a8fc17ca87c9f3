import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { ResourceAllocationError } from '../../src/errors.js';
import { ResourceLedger, capacityProblem, type ResourceAmounts } from '../../src/internal/ResourceLedger.js';
import { validateCapacity } from '../../src/core/resolveSchedulerOptions.js';
import { validateResources } from '../../src/core/normalizeTaskSpec.js';

/** The error `run` throws; fails the test if it throws none. */
function errorOf(run: () => void): unknown {
  try {
    run();
  } catch (error) {
    return error;
  }
  throw new Error('expected a throw');
}

const capacity = { cpu: 4, memory: 8 };

// --- Random allocate/release sequences against a ledger.

type Step = { kind: 'allocate'; owner: number; request: Record<string, number> } | { kind: 'release'; owner: number };

const names = ['cpu', 'memory', 'gpu'] as const;

/** Requests over a subset of the pools, with amounts from `amount`. */
const stepsArb = (amount: fc.Arbitrary<number>): fc.Arbitrary<Step[]> =>
  fc.array(
    fc.oneof(
      fc.record({
        kind: fc.constant('allocate' as const),
        owner: fc.nat({ max: 7 }),
        request: fc.record({ cpu: amount, memory: amount, gpu: amount }, { requiredKeys: [] }),
      }),
      fc.record({ kind: fc.constant('release' as const), owner: fc.nat({ max: 7 }) }),
    ),
    { maxLength: 60 },
  );

/**
 * Runs the steps, allocating only what fits, and checks after each one that no pool is over- or
 * under-committed and that `used` is the sum of the live allocations, in the order they were made.
 */
function runSteps(pools: Record<string, number>, steps: Step[]): void {
  const ledger = new ResourceLedger(pools);
  const live = new Map<string, ResourceAmounts>();
  for (const step of steps) {
    const owner = `t${step.owner}`;
    if (step.kind === 'allocate') {
      if (live.has(owner)) {
        expect(() => ledger.allocate(owner, step.request)).toThrow(`ResourceLedger: "${owner}" already holds an allocation`);
      } else if (ledger.fits(step.request)) {
        ledger.allocate(owner, step.request);
        live.set(owner, step.request);
      } else {
        expect(() => ledger.allocate(owner, step.request)).toThrow(`ResourceLedger: allocation for "${owner}" would over-commit`);
      }
    } else {
      expect(ledger.release(owner)).toBe(live.delete(owner));
    }
    for (const name of names) {
      const used = ledger.used(name);
      const sum = [...live.values()].reduce((total, request) => total + (request[name] ?? 0), 0);
      expect(used).toBeGreaterThanOrEqual(0);
      expect(used).toBeLessThanOrEqual(ledger.capacity(name));
      expect(used).toBe(sum);
      expect(ledger.free(name)).toBe(ledger.capacity(name) - used);
    }
    for (let i = 0; i < 8; i++) expect(ledger.holds(`t${i}`)).toBe(live.has(`t${i}`));
    if (live.size === 0) expect(ledger.fits(pools)).toBe(true);
  }
}

describe('ResourceLedger', () => {
  it('starts with every pool free, names in the order given', () => {
    const ledger = new ResourceLedger(capacity);
    expect(ledger.names()).toEqual(['cpu', 'memory']);
    expect(ledger.capacity('cpu')).toBe(4);
    expect(ledger.used('cpu')).toBe(0);
    expect(ledger.free('memory')).toBe(8);
    expect(ledger.capacity('gpu')).toBe(0);
    expect(ledger.free('gpu')).toBe(0);
  });

  it('fits a request in what is free after the reservations', () => {
    const ledger = new ResourceLedger(capacity);
    ledger.allocate('t1', { cpu: 2 });
    expect(ledger.fits({ cpu: 2 })).toBe(true);
    expect(ledger.fits({ cpu: 3 })).toBe(false);
    const reserved = new Map([['cpu', 1]]);
    expect(ledger.fits({ cpu: 1 }, reserved)).toBe(true);
    expect(ledger.fits({ cpu: 2 }, reserved)).toBe(false);
    expect(ledger.fits({ memory: 8 }, reserved)).toBe(true);
    expect(ledger.fits({ gpu: 1 })).toBe(false);
    expect(ledger.fits({})).toBe(true);
  });

  it('allocates, and refuses to over-commit without changing the books', () => {
    const ledger = new ResourceLedger(capacity);
    ledger.allocate('t1', { cpu: 3, memory: 2 });
    expect(ledger.used('cpu')).toBe(3);
    expect(ledger.free('memory')).toBe(6);
    expect(() => ledger.allocate('t2', { cpu: 2, memory: 1 })).toThrow('ResourceLedger: allocation for "t2" would over-commit');
    expect(ledger.holds('t2')).toBe(false);
    expect(ledger.used('cpu')).toBe(3);
    expect(ledger.used('memory')).toBe(2);
  });

  it('refuses a second allocation to the same owner', () => {
    const ledger = new ResourceLedger(capacity);
    ledger.allocate('t1', { cpu: 1 });
    expect(() => ledger.allocate('t1', { cpu: 1 })).toThrow('ResourceLedger: "t1" already holds an allocation');
    expect(ledger.used('cpu')).toBe(1);
  });

  it('releases once: a second release returns false and changes nothing', () => {
    const ledger = new ResourceLedger(capacity);
    ledger.allocate('t1', { cpu: 1, memory: 4 });
    ledger.allocate('t2', { cpu: 2 });
    expect(ledger.release('t1')).toBe(true);
    expect(ledger.holds('t1')).toBe(false);
    expect(ledger.release('t1')).toBe(false);
    expect(ledger.release('never')).toBe(false);
    expect(ledger.used('cpu')).toBe(2);
    expect(ledger.used('memory')).toBe(0);
  });

  it('returns a fractional pool to exactly empty, so a request for all of it fits again', () => {
    // 0.1 + 0.2 - 0.1 - 0.2 is 2.8e-17 in floating point: a pool left "almost empty" would never
    // fit a task that asks for all of it, and that task would wait forever.
    const ledger = new ResourceLedger({ memory: 1 });
    ledger.allocate('a', { memory: 0.1 });
    ledger.allocate('b', { memory: 0.2 });
    ledger.release('a');
    ledger.release('b');
    expect(ledger.used('memory')).toBe(0);
    expect(ledger.fits({ memory: 1 })).toBe(true);
    // And the other way round, where the drift would go below zero.
    ledger.allocate('c', { memory: 0.7 });
    ledger.allocate('d', { memory: 0.1 });
    ledger.release('c');
    ledger.release('d');
    expect(ledger.used('memory')).toBe(0);
  });

  it('keeps 0 <= used <= capacity and used = the sum of live allocations, for whole amounts', () => {
    fc.assert(
      fc.property(stepsArb(fc.integer({ min: 0, max: 5 })), (steps) => runSteps({ cpu: 8, memory: 16, gpu: 2 }, steps)),
      { numRuns: 300 },
    );
  });

  it('keeps 0 <= used <= capacity and used = the sum of live allocations, for fractional amounts', () => {
    fc.assert(
      fc.property(
        stepsArb(fc.integer({ min: 0, max: 30 }).map((tenths) => tenths / 10)),
        (steps) => runSteps({ cpu: 4, memory: 2.5, gpu: 1 }, steps),
      ),
      { numRuns: 300 },
    );
  });
});

describe('capacityProblem', () => {
  it('describes a bad capacity as plain data and accepts a good one', () => {
    expect(capacityProblem(capacity)).toBeUndefined();
    expect(capacityProblem({ cpu: 4, gpu: -1 })).toEqual({
      message: 'resources.gpu: expected a finite number >= 0, received -1 (number)',
      resource: 'gpu',
      requested: -1,
    });
  });
});

describe('validateCapacity', () => {
  it('rejects a capacity that is not a finite number >= 0', () => {
    expect(() => validateCapacity({ cpu: -1 })).toThrow('resources.cpu: expected a finite number >= 0, received -1 (number)');
    expect(() => validateCapacity({ cpu: Number.POSITIVE_INFINITY })).toThrow(
      'resources.cpu: expected a finite number >= 0, received Infinity',
    );
  });

  it('throws a ResourceAllocationError naming the pool, and returns a good capacity as given', () => {
    const error = errorOf(() => validateCapacity({ cpu: 4, memory: Number.NaN }));
    expect(error).toBeInstanceOf(ResourceAllocationError);
    expect(error).toMatchObject({ code: 'RESOURCE_ALLOCATION', resource: 'memory', capacity: undefined });
    expect(validateCapacity(capacity)).toBe(capacity);
  });
});

describe('validateResources', () => {
  it('accepts a missing request, an empty one and one that fills a pool exactly', () => {
    const ledger = new ResourceLedger(capacity);
    expect(() => validateResources(ledger, undefined)).not.toThrow();
    expect(() => validateResources(ledger, {})).not.toThrow();
    expect(() => validateResources(ledger, { cpu: 4, memory: 0 })).not.toThrow();
  });

  it('names the valid resources when a request names an unknown one', () => {
    const error = errorOf(() => validateResources(new ResourceLedger(capacity), { cpu: 1, gpu: 2 }));
    expect(error).toBeInstanceOf(ResourceAllocationError);
    expect((error as ResourceAllocationError).message).toBe('resources.gpu: unknown resource; expected one of cpu, memory');
    expect(error).toMatchObject({ code: 'RESOURCE_ALLOCATION', name: 'ResourceAllocationError', resource: 'gpu', requested: 2 });
  });

  it('says no resources are configured when the ledger has none', () => {
    expect(() => validateResources(new ResourceLedger({}), { cpu: 1 })).toThrow('resources.cpu: unknown resource; expected one of (none configured)');
  });

  it('prefixes messages with the given field', () => {
    expect(() => validateResources(new ResourceLedger(capacity), { disk: 1 }, 'tasks[3].resources')).toThrow(
      'tasks[3].resources.disk: unknown resource; expected one of cpu, memory',
    );
  });

  it('rejects negative, NaN, infinite and non-number amounts with what it received', () => {
    const ledger = new ResourceLedger(capacity);
    const cases: [unknown, string][] = [
      [-1, 'resources.cpu: expected a finite number >= 0, received -1 (number)'],
      [Number.NaN, 'resources.cpu: expected a finite number >= 0, received NaN'],
      [Number.POSITIVE_INFINITY, 'resources.cpu: expected a finite number >= 0, received Infinity'],
      ['2', 'resources.cpu: expected a finite number >= 0, received "2" (string)'],
      [null, 'resources.cpu: expected a finite number >= 0, received null (null)'],
    ];
    for (const [amount, message] of cases) {
      const error = errorOf(() => validateResources(ledger, { cpu: amount }));
      expect(error).toBeInstanceOf(ResourceAllocationError);
      expect((error as Error).message).toBe(message);
      expect(error).toMatchObject({ resource: 'cpu', capacity: 4 });
      expect((error as ResourceAllocationError).requested).toBe(amount);
    }
  });

  it('rejects a request larger than the pool', () => {
    const error = errorOf(() => validateResources(new ResourceLedger(capacity), { memory: 8.5 }));
    expect((error as Error).message).toBe("resources.memory: requested 8.5 but the pool's capacity is 8");
    expect(error).toMatchObject({ resource: 'memory', requested: 8.5, capacity: 8 });
  });

  it('rejects a request that is not an object of amounts', () => {
    const ledger = new ResourceLedger(capacity);
    expect(() => validateResources(ledger, 3)).toThrow('resources: expected an object of resource amounts, received 3 (number)');
    expect(() => validateResources(ledger, null)).toThrow('resources: expected an object of resource amounts, received null (null)');
    expect(() => validateResources(ledger, [1])).toThrow('resources: expected an object of resource amounts, received [1] (array)');
  });

});
