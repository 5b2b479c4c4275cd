/**
 * `jobline/inspector`: operate a deployed job queue — list and count jobs, show one, retry,
 * cancel and discard, lane and DLQ depths, redrive a DLQ, pause and resume a lane, and each
 * kind's estimated AWS cost. The
 * caller needs the permissions `JobQueue.grantOperate` grants.
 */
export { JobInspector, type InspectorQuery, type JobInspectorOptions, type JobPage, type LaneSummary, type RedriveReport, type StateCounts } from './job-inspector.js';
export type { DeadLetter, LaneDepth } from '../transport/lane-admin.js';
export { DEFAULT_BULK_MAX_BACKLOG, DEFAULT_BULK_PAGE_SIZE, DEFAULT_BULK_PER_SECOND, type BulkOptions, type BulkReport } from './bulk-action.js';
export { MemoryBulkProgress, type BulkActionName, type BulkFilter, type BulkProgressStore, type BulkState } from './bulk-progress.js';
export { laneCostsOf, type KindCostNote, type KindCostReport, type LaneCost } from '../cost/kind-costs.js';
export type { KindCostEstimate } from '../cost/estimate-cost.js';
export type { KindTraffic, KindTrafficSource } from '../cost/kind-traffic.js';
export type { PathUnits } from '../cost/path-units.js';
export { AWS_PRICES, type Price } from '../cost/aws-prices.js';
