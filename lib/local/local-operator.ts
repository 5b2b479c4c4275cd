import { AdminAddUserToGroupCommand, AdminCreateUserCommand, AdminSetUserPasswordCommand, CognitoIdentityProviderClient, UsernameExistsException, type CognitoIdentityProviderClientConfig } from '@aws-sdk/client-cognito-identity-provider';

/**
 * The operator a local deploy adds to each web dashboard's user pool on the emulator, so the
 * dashboard signs in without a setup step. Local only: the emulator listens on 127.0.0.1.
 */
export const LOCAL_OPERATOR = { username: 'dev', password: 'Jobline-dev-2026' } as const;

/**
 * Adds a user to a user pool with a permanent password, as an administrator would
 * (`aws cognito-idp admin-create-user`, `admin-set-user-password`), and to `group` when given
 * (`admin-add-user-to-group`: the dashboard's operators or viewers); an existing user gets the
 * password and the group.
 */
export async function ensureOperator(userPoolId: string, operator: { readonly username: string; readonly password: string }, clientConfig: CognitoIdentityProviderClientConfig = {}, group?: string): Promise<void> {
  const cognito = new CognitoIdentityProviderClient(clientConfig);
  try {
    await cognito.send(new AdminCreateUserCommand({ UserPoolId: userPoolId, Username: operator.username, MessageAction: 'SUPPRESS' }));
  } catch (error) {
    if (!(error instanceof UsernameExistsException)) throw error;
  }
  await cognito.send(new AdminSetUserPasswordCommand({ UserPoolId: userPoolId, Username: operator.username, Password: operator.password, Permanent: true }));
  if (group) await cognito.send(new AdminAddUserToGroupCommand({ UserPoolId: userPoolId, Username: operator.username, GroupName: group }));
}
