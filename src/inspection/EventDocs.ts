import type { EventObject } from 'xstate';

/**
 * Documentation of every event an actor accepts, checked by the compiler: one entry per event
 * type of `TEvent` (no more, no fewer) and, for each, exactly the names of its payload fields.
 * Custom actor logic has no runtime description of its events, so this is how it gets one that
 * cannot drift from the types.
 *
 * @example
 * const docs = {
 *   'pool.release': { description: 'Frees what an owner holds.', payload: ['owner'] },
 * } satisfies EventDocs<{ type: 'pool.release'; owner: string }>;
 */
export type EventDocs<TEvent extends EventObject> = {
  readonly [K in TEvent['type']]: {
    /** One line: what the event asks of the actor. */
    readonly description: string;
    /** Names of the event's fields other than `type`. */
    readonly payload: readonly Exclude<keyof Extract<TEvent, { type: K }>, 'type'>[];
  };
};
