// xeno-scheduler/estimates: learned estimates, what past runs measured as decaying statistics
// (docs/learned-estimates.md). A scheduler takes a learner as `estimates`; a history file from
// xeno-scheduler/stores/sqlite with a usage section gives one by itself.

export { LearnedEstimates, DEFAULT_ESTIMATE_MS, DEFAULT_AUTO_REQUESTS, MEMORY_UNIT_BYTES, RECOMMENDATION_MARGIN } from './LearnedEstimates.js';
export type { LearnedEstimatesOptions, TaskUsageSummary, UsageRow } from './LearnedEstimates.js';
export { learnedFromHistory } from './learnedFromHistory.js';
export { UsageStats, USAGE_HALF_LIFE_MS } from './UsageStats.js';
export type { Percentiles } from './UsageStats.js';
export type { AttemptUsage, EstimateSource, LearnedEstimate, MeasuredUsage, Recommendation, TaskIdentity, UsageLearner } from '../usageTypes.js';
export type { UsageHistory, UsageHistoryRow } from '../history/RunHistory.js';
