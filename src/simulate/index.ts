// xeno-scheduler/simulate: deterministic simulation, traces, metrics and invariant checks,
// listed by name. Its own entry so that the core entry never loads the simulator.

export { simulate } from './simulate.js';
export type { SimulateOptions, SimulationResult } from './simulate.js';
export { compareSimulations } from './compareSimulations.js';
export { generateDagWorkload } from './generateDagWorkload.js';
export { loadStgWorkload } from './loadStgWorkload.js';
export { recordTrace } from './recordTrace.js';
export { traceToSvg } from './traceToSvg.js';
export { replayOf } from './replayOf.js';
export type { ReplayableReport, ReplayWorkload } from './replayOf.js';
export { withSetting } from './withSetting.js';
export {
  checkInvariants,
  assertInvariants,
  checkWorkers,
  checkResources,
  checkDependencies,
  checkTransitions,
  checkCompletion,
  checkNodes,
} from './invariants.js';
export { checkPriorityOrder, checkDispatchOrder } from './checkDispatchOrder.js';
export { checkStarvation } from './checkStarvation.js';
export { InvariantViolationError } from './InvariantViolationError.js';
export type { Trace, TraceEvent, SimulationMetrics, SimulatedNode, SimulatedLoadBalancing } from './types.js';
