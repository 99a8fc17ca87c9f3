/**
 * The worker slots: how many run, and which slot each running task holds (0-based, reused
 * lowest-last). Slots are numbered on demand, so a huge `maxWorkers` costs nothing up front.
 *
 * @example
 * const slots = new WorkerSlots(4);
 * const slot = slots.take(); // 0
 * slots.give(slot);
 */
export class WorkerSlots {
  readonly max: number;
  readonly #free: number[] = [];
  #numbered = 0;
  #busy = 0;

  constructor(max: number) {
    this.max = max;
  }

  /** Slots in use. */
  get busy(): number {
    return this.#busy;
  }

  /** Slots free. */
  get free(): number {
    return this.max - this.#busy;
  }

  take(): number {
    this.#busy++;
    return this.#free.pop() ?? this.#numbered++;
  }

  give(slot: number): void {
    this.#busy--;
    this.#free.push(slot);
  }
}
