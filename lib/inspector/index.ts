/**
 * `jobline/inspector`: operate a deployed job queue — list and count jobs, show one, retry,
 * cancel and discard, lane and DLQ depths, redrive a DLQ, pause and resume a lane. The
 * caller needs the permissions `JobQueue.grantOperate` grants.
 */
export { JobInspector, type InspectorQuery, type JobInspectorOptions, type JobPage, type LaneSummary, type RedriveReport, type StateCounts } from './job-inspector.js';
export type { DeadLetter, LaneDepth } from '../transport/lane-admin.js';
