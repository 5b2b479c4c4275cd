import { AdminCreateUserCommand, AdminSetUserPasswordCommand, CognitoIdentityProviderClient, UsernameExistsException } from '@aws-sdk/client-cognito-identity-provider';

/**
 * Adds an operator to the web dashboard's user pool with a permanent password, as an
 * administrator would (`aws cognito-idp admin-create-user` and `admin-set-user-password`);
 * an existing operator gets the password.
 */
export async function ensureOperator(userPoolId: string, username: string, password: string): Promise<void> {
  const cognito = new CognitoIdentityProviderClient({});
  try {
    await cognito.send(new AdminCreateUserCommand({ UserPoolId: userPoolId, Username: username, MessageAction: 'SUPPRESS' }));
  } catch (error) {
    if (!(error instanceof UsernameExistsException)) throw error;
  }
  await cognito.send(new AdminSetUserPasswordCommand({ UserPoolId: userPoolId, Username: username, Password: password, Permanent: true }));
}
