import { AuthenticationDetails, CognitoUser, CognitoUserPool } from 'amazon-cognito-identity-js';
import { ensureOperator } from '../../../lib/local/local-operator.js';
import { DEFAULT_DASHBOARD_GROUPS } from '../../../web/dashboard-access.js';

/** A user of the dashboard's pool, as an administrator adds one: in the operators or viewers group, or in none. */
export async function dashboardUser(userPoolId: string, role: 'operator' | 'viewer' | 'none'): Promise<{ username: string; password: string }> {
  const username = `${role}-${Date.now()}-${Math.random().toString(36).slice(2, 8)}`;
  const password = `Pw-${Math.random().toString(36).slice(2)}-${Date.now()}`;
  const group = role === 'operator' ? DEFAULT_DASHBOARD_GROUPS.operators : role === 'viewer' ? DEFAULT_DASHBOARD_GROUPS.viewers : undefined;
  await ensureOperator(userPoolId, { username, password }, {}, group);
  return { username, password };
}

/**
 * Signs a user in to the deployed dashboard's user pool as its page does (SRP, with the page's
 * client, read from the dashboard's config.json) and returns the ID token the page would send.
 */
export async function signIn(dashboardUrl: string, user: { username: string; password: string }): Promise<string> {
  const { auth } = await (await fetch(new URL('config.json', dashboardUrl))).json() as { auth: { userPoolId: string; clientId: string; cognitoEndpoint: string } };
  const pool = new CognitoUserPool({ UserPoolId: auth.userPoolId, ClientId: auth.clientId, endpoint: auth.cognitoEndpoint });
  const cognitoUser = new CognitoUser({ Username: user.username, Pool: pool });
  return new Promise((resolve, reject) => cognitoUser.authenticateUser(new AuthenticationDetails({ Username: user.username, Password: user.password }), {
    onSuccess: (session) => resolve(session.getIdToken().getJwtToken()),
    onFailure: reject,
  }));
}
