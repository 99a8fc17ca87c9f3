import { ResourceAllocationError } from '../errors.js';
import { describeValue as describe } from './describeValue.js';

/** Amounts by resource name. */
export type ResourceAmounts = Readonly<Record<string, number>>;

/**
 * The books of a set of resource pools: capacity, what is allocated to whom, and a check that an
 * allocation never over-commits. Plain data: no XState.
 *
 * @example
 * const ledger = new ResourceLedger({ cpu: 4, memory: 8 });
 * ledger.allocate('t1', { cpu: 2 });
 * ledger.free('cpu'); // 2
 * ledger.release('t1');
 */
export class ResourceLedger {
  readonly #capacity: ReadonlyMap<string, number>;
  readonly #used = new Map<string, number>();
  readonly #allocations = new Map<string, ResourceAmounts>();

  constructor(capacity: ResourceAmounts) {
    for (const [name, amount] of Object.entries(capacity)) {
      if (typeof amount !== 'number' || !Number.isFinite(amount) || amount < 0) {
        throw new ResourceAllocationError(
          `resources.${name}: expected a finite number >= 0, received ${describe(amount)}`,
          { resource: name, requested: amount },
        );
      }
    }
    this.#capacity = new Map(Object.entries(capacity));
    for (const name of this.#capacity.keys()) this.#used.set(name, 0);
  }

  /** Resource names, in the order given. */
  names(): string[] {
    return [...this.#capacity.keys()];
  }

  /** Capacity of one pool (0 for an unknown name). */
  capacity(name: string): number {
    return this.#capacity.get(name) ?? 0;
  }

  /** Allocated amount of one pool. */
  used(name: string): number {
    return this.#used.get(name) ?? 0;
  }

  /** Free amount of one pool. */
  free(name: string): number {
    return this.capacity(name) - this.used(name);
  }

  /**
   * Throws a ResourceAllocationError if a request can never be granted: an unknown resource
   * name, an amount that is not a finite number >= 0, or more than the pool's capacity.
   * `field` prefixes the message (e.g. `tasks[3].resources`).
   */
  validate(request: unknown, field = 'resources'): void {
    if (request === undefined) return;
    if (typeof request !== 'object' || request === null || Array.isArray(request)) {
      throw new ResourceAllocationError(
        `${field}: expected an object of resource amounts, received ${describe(request)}`,
        { resource: '', requested: request },
      );
    }
    for (const [name, amount] of Object.entries(request)) {
      const capacity = this.#capacity.get(name);
      if (capacity === undefined) {
        throw new ResourceAllocationError(
          `${field}.${name}: unknown resource; expected one of ${this.names().join(', ') || '(none configured)'}`,
          { resource: name, requested: amount },
        );
      }
      if (typeof amount !== 'number' || !Number.isFinite(amount) || amount < 0) {
        throw new ResourceAllocationError(
          `${field}.${name}: expected a finite number >= 0, received ${describe(amount)}`,
          { resource: name, requested: amount, capacity },
        );
      }
      if (amount > capacity) {
        throw new ResourceAllocationError(
          `${field}.${name}: requested ${amount} but the pool's capacity is ${capacity}`,
          { resource: name, requested: amount, capacity },
        );
      }
    }
  }

  /**
   * True if the request fits what is free after setting `reserved` aside.
   */
  fits(request: ResourceAmounts, reserved?: ReadonlyMap<string, number>): boolean {
    for (const name in request) {
      const amount = request[name] as number;
      if (amount > this.free(name) - (reserved?.get(name) ?? 0)) return false;
    }
    return true;
  }

  /** Allocates a request to an owner. Throws if it does not fit or the owner already holds one. */
  allocate(owner: string, request: ResourceAmounts): void {
    if (this.#allocations.has(owner)) throw new Error(`ResourceLedger: "${owner}" already holds an allocation`);
    if (!this.fits(request)) throw new Error(`ResourceLedger: allocation for "${owner}" would over-commit`);
    for (const name in request) {
      this.#used.set(name, (this.#used.get(name) ?? 0) + (request[name] as number));
    }
    this.#allocations.set(owner, request);
  }

  /** Returns an owner's allocation to the pools; false if it held none. Idempotent. */
  release(owner: string): boolean {
    const request = this.#allocations.get(owner);
    if (request === undefined) return false;
    this.#allocations.delete(owner);
    // Re-add what is still held rather than subtract: subtracting fractions drifts (0.1 + 0.2 -
    // 0.1 - 0.2 is 2.8e-17), and a pool left "almost empty" never fits a request for all of it.
    for (const name in request) {
      let used = 0;
      for (const held of this.#allocations.values()) used += held[name] ?? 0;
      this.#used.set(name, used);
    }
    return true;
  }

  /** True if the owner holds an allocation. */
  holds(owner: string): boolean {
    return this.#allocations.has(owner);
  }
}
