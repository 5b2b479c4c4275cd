/**
 * Who may do what on the dashboard. Operators act (retry, cancel, discard, redrive, pause,
 * resume) and view; viewers only view; a signed-in user in neither group gets 403 on every
 * `/api/` route. The groups are Cognito user-pool groups, read from the ID token's
 * `cognito:groups` claim.
 */
export type DashboardRole = 'operator' | 'viewer';

/** The Cognito groups that make a user an operator or a viewer. */
export interface DashboardGroups {
  readonly operators: string;
  readonly viewers: string;
}

/** The groups a `WebDashboard` checks unless told otherwise. */
export const DEFAULT_DASHBOARD_GROUPS: DashboardGroups = { operators: 'jobline-operators', viewers: 'jobline-viewers' };

/**
 * The groups a token's `cognito:groups` claim names. API Gateway hands a JWT claim to the
 * function as a string, an array as its items in brackets (`"[a b]"`); an array is read as
 * one too. Group names hold no white space, so splitting on it is exact.
 */
export function groupsOfClaim(claim: unknown): string[] {
  if (Array.isArray(claim)) return claim.filter((g): g is string => typeof g === 'string');
  if (typeof claim !== 'string') return [];
  const inner = claim.trim().replace(/^\[/, '').replace(/\]$/, '');
  return inner.split(/[\s,]+/).map((g) => g.replace(/^"|"$/g, '')).filter(Boolean);
}

/** A signed-in user's role from their token's claims: operator wins over viewer; undefined for neither. */
export function roleOf(claims: Readonly<Record<string, unknown>> | undefined, groups: DashboardGroups): DashboardRole | undefined {
  const member = groupsOfClaim(claims?.['cognito:groups']);
  if (member.includes(groups.operators)) return 'operator';
  if (member.includes(groups.viewers)) return 'viewer';
  return undefined;
}

/** Whether a role may make a call: every role views (GET); only operators act (anything else). */
export function mayCall(role: DashboardRole, method: string): boolean {
  return role === 'operator' || method === 'GET' || method === 'HEAD';
}
