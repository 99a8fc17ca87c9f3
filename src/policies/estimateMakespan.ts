/** A moment of a run as the critical-path lookahead sees it (times in ms, estimates for durations). */
export interface PlanState {
  readonly now: number;
  readonly maxWorkers: number;
  /** Pool capacities; undefined when unknown (then every request fits). */
  readonly capacity: Readonly<Record<string, number>> | undefined;
  /** Running attempts: expected end (estimate after start) and what they hold. */
  readonly running: readonly { readonly id: string; readonly end: number; readonly resources: Readonly<Record<string, number>> }[];
  /** Ready tasks, best rank first. */
  readonly ready: readonly string[];
  /** Tasks neither ready, running nor done, with how many of their dependencies are not done. */
  readonly waitingOn: ReadonlyMap<string, number>;
  /** The rank order: larger first (ties: more dependents first). */
  readonly rankOf: (id: string) => number;
  readonly estimateOf: (id: string) => number;
  readonly resourcesOf: (id: string) => Readonly<Record<string, number>>;
  readonly dependentsOf: (id: string) => readonly string[];
}

/** The reservations of a rollout without pools: never written (with no capacity every request fits). */
const NOTHING_RESERVED = new Map<string, number>();

/**
 * The makespan a plain list scheduler (ready tasks by rank, then more dependents first, a blocked task reserving its request
 * against those ranked after it, as the pump does) would reach from `state` if `first` started
 * now, with estimates as durations: the rollout that the critical-path lookahead compares
 * candidates by. With `first` undefined nothing starts now: the free workers stay idle until the
 * next running task ends, and list scheduling goes on from there. Infinity if the tasks left can
 * never all run (a request above capacity, or holding with nothing running).
 *
 * @example
 * estimateMakespan(state, 'b'); // 42000
 * estimateMakespan(state, undefined); // 41000: idling until the next end is shorter
 */
export function estimateMakespan(state: PlanState, first: string | undefined): number {
  return planRollouts(state)(first);
}

/**
 * Returns a test of a makespan: true when no rollout from `state` (whatever starts first, or
 * nothing) can end before it: the work left (running tasks' remaining estimates, ready and waiting tasks'
 * estimates) spread over every worker that can be busy at once is already that long. So once one
 * candidate's plan ends there, no other can end strictly sooner and the lookahead need not roll
 * them out. Decided in exact integer arithmetic; false whenever a time or estimate is not a safe
 * integer (then the rollouts are all run, as before).
 *
 * @example
 * const isAtBound = workBound(state);
 * if (!isAtBound(shortest)) held = rollout(undefined);
 */
export function workBound(state: PlanState): (makespan: number) => boolean {
  const never = (): boolean => false;
  // At most this many tasks run at once in a rollout: the starts stop at maxWorkers, and the
  // first start comes on top of those already running.
  const workers = Math.max(state.maxWorkers, state.running.length + 1);
  const now = state.now;
  let work = 0;
  const add = (duration: number): boolean => {
    work += duration;
    return Number.isSafeInteger(duration) && duration >= 0 && Number.isSafeInteger(work);
  };
  if (!Number.isSafeInteger(now)) return never;
  for (const run of state.running) if (!Number.isSafeInteger(run.end) || !add(Math.max(now, run.end) - now)) return never;
  for (const id of state.ready) if (!add(state.estimateOf(id))) return never;
  for (const id of state.waitingOn.keys()) if (!add(state.estimateOf(id))) return never;
  return (makespan) => {
    // makespan <= now + work / workers, in integers (both sides must stay exact).
    const span = (makespan - now) * workers;
    return Number.isSafeInteger(makespan) && Number.isSafeInteger(span) && span <= work;
  };
}

/**
 * {@link estimateMakespan} for several first starts from one state: what the rollouts read of
 * `state` (ranks, dependents, estimates, requests) is read once per task and shared by them.
 * `state` must not change while the returned function is used.
 *
 * The ready list of a rollout is kept in the order the plain list scheduler keeps it: the ready
 * tasks as given, each released task inserted before the first task that ranks below it. The
 * given order need not be rank order (equal ranks go by priority in the queue, by dependents
 * here), so the list is not always sorted; what is sorted is each position's prefix minimum (the
 * lowest-ranked task up to there), and "the first task below it" is the first position whose
 * prefix minimum is below it: a binary search, where comparing with every ready task made each
 * rollout O(tasks × ready tasks) and a run of 1,000 tasks take 37 s.
 *
 * @example
 * const rollout = planRollouts(state);
 * Math.min(rollout('a'), rollout('b'), rollout(undefined));
 */
export function planRollouts(state: PlanState): (first: string | undefined) => number {
  // Every task a rollout touches gets a slot; what is read of it is read once.
  const slotOf = new Map<string, number>();
  const ids: string[] = [];
  const estimates: number[] = [];
  const requests: (readonly (readonly [string, number])[] | undefined)[] = [];
  const dependents: (readonly number[] | undefined)[] = [];
  const ranks: number[] = [];
  const successors: number[] = [];
  const hasKey: boolean[] = [];
  /** The waiting count of a slot as given (-1: not waiting). */
  const waiting: number[] = [];
  // Per rollout: how many dependencies a waiting slot still has (valid where leftRound is this round).
  const left: number[] = [];
  const leftRound: number[] = [];
  const slot = (id: string): number => {
    let at = slotOf.get(id);
    if (at === undefined) {
      at = ids.length;
      slotOf.set(id, at);
      ids.push(id);
      estimates.push(Number.NaN);
      requests.push(undefined);
      dependents.push(undefined);
      ranks.push(0);
      successors.push(0);
      hasKey.push(false);
      waiting.push(state.waitingOn.get(id) ?? -1);
      left.push(0);
      leftRound.push(0);
    }
    return at;
  };
  const estimateOf = (at: number): number => {
    let estimate = estimates[at] as number;
    if (Number.isNaN(estimate)) {
      estimate = state.estimateOf(ids[at] as string);
      estimates[at] = estimate;
    }
    return estimate;
  };
  const requestOf = (at: number): readonly (readonly [string, number])[] => {
    let request = requests[at];
    if (request === undefined) {
      request = Object.entries(state.resourcesOf(ids[at] as string));
      requests[at] = request;
    }
    return request;
  };
  const dependentsOf = (at: number): readonly number[] => {
    let found = dependents[at];
    if (found === undefined) {
      found = state.dependentsOf(ids[at] as string).map(slot);
      dependents[at] = found;
    }
    return found;
  };
  // The rank order's key, read only for the tasks the rank order compares (ready and released ones).
  const keyOf = (at: number): void => {
    if (hasKey[at] === true) return;
    ranks[at] = state.rankOf(ids[at] as string);
    successors[at] = dependentsOf(at).length;
    hasKey[at] = true;
  };
  /** < 0 when a task of rank `rank` and `successor` dependents ranks below the other: the plain scheduler's `order(other, task)`. */
  const below = (rank: number, successor: number, otherRank: number, otherSuccessor: number): boolean =>
    (otherRank - rank || otherSuccessor - successor) > 0;
  const given = state.ready.map(slot);
  const capacity = state.capacity;
  const maxWorkers = state.maxWorkers;
  const waitingCount = state.waitingOn.size;
  let round = 0;

  // The ready list of a rollout: positions head..tail-1 of these arrays, with room on both sides
  // (it starts in the middle and can grow by at most the waiting tasks either way), moved with
  // copyWithin: Array#splice and #shift allocated and were most of a rollout's time.
  const room = given.length + waitingCount + 1;
  const readySlots = new Int32Array(2 * room + 1);
  const minRank = new Float64Array(2 * room + 1);
  const minSuccessors = new Float64Array(2 * room + 1);

  return (first) => {
    round += 1;
    let time = state.now;
    const used = new Map<string, number>();
    const runSlots: number[] = [];
    const runEnds: number[] = [];
    const runRequests: (readonly (readonly [string, number])[])[] = [];
    const start = (at: number, request: readonly (readonly [string, number])[], end: number): void => {
      runSlots.push(at);
      runEnds.push(end);
      runRequests.push(request);
      if (capacity !== undefined) for (const [name, amount] of request) used.set(name, (used.get(name) ?? 0) + amount);
    };
    for (const run of state.running) start(slot(run.id), Object.entries(run.resources), Math.max(time, run.end));
    const firstSlot = first === undefined ? -1 : slot(first);
    if (firstSlot !== -1) start(firstSlot, requestOf(firstSlot), time + estimateOf(firstSlot));
    let isHolding = first === undefined;
    let head = room;
    let tail = room;
    for (const at of given) {
      if (at === firstSlot) continue;
      keyOf(at);
      const rank = ranks[at] as number;
      const successor = successors[at] as number;
      const isBelow = tail === head || below(rank, successor, minRank[tail - 1] as number, minSuccessors[tail - 1] as number);
      readySlots[tail] = at;
      minRank[tail] = isBelow ? rank : (minRank[tail - 1] as number);
      minSuccessors[tail] = isBelow ? successor : (minSuccessors[tail - 1] as number);
      tail += 1;
    }
    /** Removes the task at `at`; returns where the task after it is now. */
    const removeReady = (at: number): number => {
      let after = at;
      if (at - head < tail - at - 1) {
        if (at > head) {
          readySlots.copyWithin(head + 1, head, at);
          minRank.copyWithin(head + 1, head, at);
          minSuccessors.copyWithin(head + 1, head, at);
        }
        head += 1;
        after = at + 1;
      } else {
        readySlots.copyWithin(at, at + 1, tail);
        minRank.copyWithin(at, at + 1, tail);
        minSuccessors.copyWithin(at, at + 1, tail);
        tail -= 1;
      }
      // The prefix minima before it are as they were; after it they can only rise, and are as
      // they were from the first one that stays.
      for (let next = after; next < tail; next++) {
        const task = readySlots[next] as number;
        let rank = ranks[task] as number;
        let successor = successors[task] as number;
        if (next > head && !below(rank, successor, minRank[next - 1] as number, minSuccessors[next - 1] as number)) {
          rank = minRank[next - 1] as number;
          successor = minSuccessors[next - 1] as number;
        }
        if (rank === minRank[next] && successor === minSuccessors[next]) break;
        minRank[next] = rank;
        minSuccessors[next] = successor;
      }
      return after;
    };
    const insertReady = (task: number): void => {
      keyOf(task);
      const rank = ranks[task] as number;
      const successor = successors[task] as number;
      // The first position whose prefix minimum ranks below the task: every task before it ranks at least as high.
      let low = head;
      let high = tail;
      while (low < high) {
        const middle = (low + high) >>> 1;
        if (below(minRank[middle] as number, minSuccessors[middle] as number, rank, successor)) high = middle;
        else low = middle + 1;
      }
      if (low === tail) {
        tail += 1;
      } else if (low - head < tail - low) {
        readySlots.copyWithin(head - 1, head, low);
        minRank.copyWithin(head - 1, head, low);
        minSuccessors.copyWithin(head - 1, head, low);
        head -= 1;
        low -= 1;
      } else {
        readySlots.copyWithin(low + 1, low, tail);
        minRank.copyWithin(low + 1, low, tail);
        minSuccessors.copyWithin(low + 1, low, tail);
        tail += 1;
      }
      readySlots[low] = task;
      minRank[low] = rank;
      minSuccessors[low] = successor;
    };
    /** Removes a running task, keeping the order of the others (the order in which simultaneous ends are taken). */
    const removeRunning = (at: number): void => {
      for (let next = at + 1; next < runSlots.length; next++) {
        runSlots[next - 1] = runSlots[next] as number;
        runEnds[next - 1] = runEnds[next] as number;
        runRequests[next - 1] = runRequests[next] as readonly (readonly [string, number])[];
      }
      runSlots.pop();
      runEnds.pop();
      runRequests.pop();
    };
    let released = 0;
    const fits = (request: readonly (readonly [string, number])[], reserved: ReadonlyMap<string, number>): boolean =>
      capacity === undefined || request.every(([name, amount]) => amount + (used.get(name) ?? 0) + (reserved.get(name) ?? 0) <= (capacity[name] ?? 0));
    let makespan = time;
    for (;;) {
      const reserved = capacity === undefined ? NOTHING_RESERVED : new Map<string, number>();
      for (let at = head; at < tail && runSlots.length < maxWorkers && !isHolding; ) {
        const task = readySlots[at] as number;
        const request = requestOf(task);
        if (fits(request, reserved)) {
          at = removeReady(at);
          start(task, request, time + estimateOf(task));
          continue;
        }
        for (const [name, amount] of request) reserved.set(name, (reserved.get(name) ?? 0) + amount);
        at += 1;
      }
      isHolding = false;
      if (runSlots.length === 0) return tail === head && waitingCount - released === 0 ? makespan : Number.POSITIVE_INFINITY;
      time = Number.POSITIVE_INFINITY;
      for (const end of runEnds) time = Math.min(time, end);
      makespan = Math.max(makespan, time);
      for (let at = runSlots.length - 1; at >= 0; at--) {
        if (runEnds[at] !== time) continue;
        const task = runSlots[at] as number;
        const request = runRequests[at] as readonly (readonly [string, number])[];
        removeRunning(at);
        if (capacity !== undefined) for (const [name, amount] of request) used.set(name, (used.get(name) ?? 0) - amount);
        for (const dependent of dependentsOf(task)) {
          const count = leftRound[dependent] === round ? (left[dependent] as number) : (waiting[dependent] as number);
          if (count === -1) continue;
          leftRound[dependent] = round;
          if (count > 1) {
            left[dependent] = count - 1;
            continue;
          }
          left[dependent] = -1;
          released += 1;
          insertReady(dependent);
        }
      }
    }
  };
}
