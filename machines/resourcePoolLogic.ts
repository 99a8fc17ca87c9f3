import { ResourceLedger, type ResourceAmounts } from '../src/internal/ResourceLedger.js';
import { fromMutable } from './fromMutable.js';

/** The resource pool's state: the ledger plus what is currently reserved for blocked tasks. */
export interface ResourcePoolContext {
  readonly ledger: ResourceLedger;
  /** Amounts set aside for higher-ranked tasks that are waiting for resources. */
  reserved: ReadonlyMap<string, number>;
}

/** Events of the resource-pool actor. */
export type ResourcePoolEvent =
  | { type: 'pool.allocate'; owner: string; request: ResourceAmounts }
  | { type: 'pool.release'; owner: string }
  | { type: 'pool.reserve'; amounts: ReadonlyMap<string, number> };

/**
 * The resource-pool actor: allocate, release and reserve against fixed capacities. It never
 * over-commits: an allocation that does not fit throws inside the actor (a supervisor bug, not
 * a user error: the scheduler checks `fits` first).
 */
export const resourcePoolLogic = fromMutable<ResourcePoolContext, ResourcePoolEvent, ResourceAmounts>(
  (capacity) => ({ ledger: new ResourceLedger(capacity), reserved: new Map() }),
  (context, event) => {
    switch (event.type) {
      case 'pool.allocate':
        context.ledger.allocate(event.owner, event.request);
        return;
      case 'pool.release':
        context.ledger.release(event.owner);
        return;
      case 'pool.reserve':
        context.reserved = event.amounts;
        return;
    }
  },
);
