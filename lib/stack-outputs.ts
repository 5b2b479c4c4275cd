/**
 * The stack outputs of a `JobQueue` and a `WebDashboard` have stable names, so that tools
 * find them without hashes: `Jobline<Name><QueueId>`, where `QueueId` is the construct's
 * path inside its stack with everything but letters and digits removed (a `JobQueue` with
 * id `Jobs` at the top of its stack outputs `JoblineConfigJobs`). Two queues in one stack
 * have two ids, and so two sets of outputs.
 */
export const QUEUE_OUTPUTS = {
  /** The queue's config for clients and operators (`JOBLINE_CONFIG`), as JSON. */
  config: 'JoblineConfig',
  /** The enqueue API's id and URL, when the queue has one. */
  apiId: 'JoblineApiId',
  apiUrl: 'JoblineApiUrl',
  workerFunctionName: 'JoblineWorkerFunctionName',
  workerLogGroup: 'JoblineWorkerLogGroup',
  sweeperFunctionName: 'JoblineSweeperFunctionName',
  dispatcherFunctionName: 'JoblineDispatcherFunctionName',
} as const;

/** The outputs of a `WebDashboard`, named the same way after the dashboard's id. */
export const DASHBOARD_OUTPUTS = {
  url: 'JoblineDashboardUrl',
  apiId: 'JoblineDashboardApiId',
  userPoolId: 'JoblineDashboardUserPoolId',
  /** The user-pool groups of operators (may act) and viewers (may view). */
  operatorsGroup: 'JoblineDashboardOperatorsGroup',
  viewersGroup: 'JoblineDashboardViewersGroup',
} as const;

/** The id part of a construct's output names: its path inside the stack, letters and digits only. */
export function outputIdOf(pathInStack: string): string {
  return pathInStack.replace(/[^A-Za-z0-9]/g, '');
}
