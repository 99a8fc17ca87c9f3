import { describeValue as describe } from './describeValue.js';

/** Amounts by resource name. */
export type ResourceAmounts = Readonly<Record<string, number>>;

/** Why a capacity or a request is unusable, as plain data: src/ turns it into its error class. */
export interface ResourceProblem {
  /** Names the field, what was expected and what was received. */
  readonly message: string;
  /** The resource at fault; '' when the request as a whole is malformed. */
  readonly resource: string;
  /** What was asked for, as received. */
  readonly requested: unknown;
  /** The pool's capacity, when the resource is known. */
  readonly capacity?: number;
}

/**
 * Why a set of pool capacities is unusable (an amount that is not a finite number >= 0), or
 * undefined if it is fine.
 *
 * @example
 * capacityProblem({ cpu: -1 })?.message; // 'resources.cpu: expected a finite number >= 0, received -1 (number)'
 */
export function capacityProblem(capacity: unknown): ResourceProblem | undefined {
  for (const [name, amount] of Object.entries(capacity as Record<string, unknown>)) {
    if (!isAmount(amount)) {
      return {
        message: `resources.${name}: expected a finite number >= 0, received ${describe(amount)}`,
        resource: name,
        requested: amount,
      };
    }
  }
  return undefined;
}

function isAmount(amount: unknown): amount is number {
  return typeof amount === 'number' && Number.isFinite(amount) && amount >= 0;
}

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

  /** Throws a RangeError on a capacity {@link capacityProblem} rejects; check user input first. */
  constructor(capacity: ResourceAmounts) {
    const problem = capacityProblem(capacity);
    if (problem !== undefined) throw new RangeError(problem.message);
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
   * Why a request can never be granted, or undefined if it can: an unknown resource name, an
   * amount that is not a finite number >= 0, or more than the pool's capacity. Plain data; the
   * caller decides what error it becomes (see `validateResources` in src/).
   * `field` prefixes the message (e.g. `tasks[3].resources`).
   */
  problemWith(request: unknown, field = 'resources'): ResourceProblem | undefined {
    if (request === undefined) return undefined;
    if (typeof request !== 'object' || request === null || Array.isArray(request)) {
      return {
        message: `${field}: expected an object of resource amounts, received ${describe(request)}`,
        resource: '',
        requested: request,
      };
    }
    for (const [name, amount] of Object.entries(request)) {
      const capacity = this.#capacity.get(name);
      if (capacity === undefined) {
        return {
          message: `${field}.${name}: unknown resource; expected one of ${this.names().join(', ') || '(none configured)'}`,
          resource: name,
          requested: amount,
        };
      }
      if (!isAmount(amount)) {
        return {
          message: `${field}.${name}: expected a finite number >= 0, received ${describe(amount)}`,
          resource: name,
          requested: amount,
          capacity,
        };
      }
      if (amount > capacity) {
        return {
          message: `${field}.${name}: requested ${amount} but the pool's capacity is ${capacity}`,
          resource: name,
          requested: amount,
          capacity,
        };
      }
    }
    return undefined;
  }

  /**
   * True if the request fits what is free after setting `reserved` aside.
   */
  fits(request: ResourceAmounts, reserved?: ReadonlyMap<string, number>): boolean {
    for (const name in request) {
      const amount = request[name] as number;
      // A request of 0 always fits, even where reservations exceed what is free.
      if (amount > 0 && amount > this.free(name) - (reserved?.get(name) ?? 0)) return false;
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
