import type { ActorLogic, ActorSystem, EventObject } from 'xstate';

/** The snapshot of a {@link fromMutable} actor: a live data structure as its context. */
export interface MutableSnapshot<TContext> {
  readonly status: 'active';
  readonly output: undefined;
  readonly error: undefined;
  readonly context: TContext;
}

/**
 * Actor logic around a mutable data structure: each event is applied to the structure by
 * `reduce`, and the snapshot's `context` is the structure itself. Reading the snapshot is how
 * the owner queries it; sending an event is how it changes it.
 *
 * This trades XState's immutable snapshots for O(log n) updates: copying a heap of 300k entries
 * per event is not an option. The logic is still pure in the XState sense: no I/O, no timers.
 *
 * @example
 * const counter = fromMutable(() => ({ n: 0 }), (ctx, e: { type: 'inc' }) => { ctx.n++; });
 */
export function fromMutable<TContext, TEvent extends EventObject, TInput = undefined>(
  create: (input: TInput) => TContext,
  reduce: (context: TContext, event: TEvent) => void,
): ActorLogic<MutableSnapshot<TContext>, TEvent, TInput, ActorSystem<any>> {
  return {
    config: reduce,
    transition: (snapshot, event) => {
      reduce(snapshot.context, event);
      return snapshot;
    },
    getInitialSnapshot: (_scope, input) => ({
      status: 'active',
      output: undefined,
      error: undefined,
      context: create(input),
    }),
    getPersistedSnapshot: (snapshot) => snapshot,
  } satisfies ActorLogic<MutableSnapshot<TContext>, TEvent, TInput, ActorSystem<any>>;
}
