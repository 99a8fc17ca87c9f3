// xeno-scheduler/dashboard: the live dashboard server and page (ws), listed by name. Its own
// entry so that the core entry never loads it; it uses only the core's public API.

export { startDashboard } from './startDashboard.js';
export type { Dashboard } from './startDashboard.js';
export type { DashboardOptions } from './resolveDashboardOptions.js';
export { DashboardOptionsError } from './DashboardOptionsError.js';
