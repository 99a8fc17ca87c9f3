import { SchedulerError } from '../errors.js';

/** A worker was started for a node its coordinator does not have. */
export class UnknownNodeError extends SchedulerError {
  readonly node: string;
  /** The coordinator's nodes. */
  readonly nodes: readonly string[];
  constructor(node: string, nodes: readonly string[]) {
    super('UNKNOWN_NODE', `node "${node}" is not one of the coordinator's nodes (${nodes.join(', ')})`);
    this.name = 'UnknownNodeError';
    this.node = node;
    this.nodes = nodes;
  }
}
