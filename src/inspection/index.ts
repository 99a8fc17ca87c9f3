// xeno-scheduler/inspection: the statecharts themselves, for inspection, visualisation and
// model-based tests: the task machine and the scheduler's helper actors as XState logic, and all
// of them as JSON (what `xeno-scheduler machines` prints). The live dashboard is
// xeno-scheduler/dashboard.

export { taskMachine, retryDelayMs } from '../../machines/taskMachine.js';
export type { TaskMachineContext, TaskMachineEvent, TaskMachineInput } from '../../machines/taskMachine.js';
export { resourcePoolLogic } from '../../machines/resourcePoolLogic.js';
export { dependencyGraphLogic } from '../../machines/dependencyGraphLogic.js';
export { priorityHeapLogic } from '../../machines/priorityHeapLogic.js';
export { machinesToJson } from './machinesToJson.js';
export type { MachineJson, StatechartJson, ActorLogicJson } from './machinesToJson.js';
export { exportMachines } from './exportMachines.js';
export type { SchedulerActorRef, SchedulerSnapshot } from '../core/Supervisor.js';
