import { randomUUID } from 'node:crypto';
import { TransactionCancelledError, type JobClient, type TransactItem } from 'jobline';
import * as z from 'zod';
import { welcomeEmail } from './jobs.js';

/** A user as the app stores it. */
export interface User {
  readonly userId: string;
  readonly email: string;
  readonly name: string;
  readonly createdAt: string;
}

/** The write of a new user in the users table: refused (the transaction cancelled) when the email is taken. */
export function newUserItem(tableName: string, user: User): TransactItem {
  return { Put: { TableName: tableName, Item: { ...user }, ConditionExpression: 'attribute_not_exists(email)' } };
}

/** An HTTP answer. */
export interface Reply {
  readonly status: number;
  readonly body: Record<string, unknown>;
}

const signupBody = z.object({ email: z.email(), name: z.string().trim().min(1).max(100) });

/**
 * `POST /signup`: writes the user and enqueues their welcome email in one DynamoDB
 * transaction — both or neither. A taken email cancels the transaction: a 409, no user
 * written, no email enqueued.
 */
export async function signup(body: string | undefined, deps: { usersTable: string; jobs: Pick<JobClient, 'enqueueInTransaction'>; now?: () => Date }): Promise<Reply> {
  let json: unknown;
  try {
    json = JSON.parse(body ?? '');
  } catch {
    return { status: 400, body: { error: 'the body must be JSON: {"email": string, "name": string}' } };
  }
  const parsed = signupBody.safeParse(json);
  if (!parsed.success) return { status: 400, body: { error: parsed.error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`).join('; ') } };
  const user: User = { userId: randomUUID(), email: parsed.data.email.toLowerCase(), name: parsed.data.name, createdAt: (deps.now?.() ?? new Date()).toISOString() };
  try {
    const [job] = await deps.jobs.enqueueInTransaction([newUserItem(deps.usersTable, user)], [{ job: welcomeEmail, payload: { userId: user.userId, email: user.email, name: user.name } }]);
    return { status: 201, body: { userId: user.userId, welcomeJobId: job!.id } };
  } catch (error) {
    const taken = error instanceof TransactionCancelledError && error.failures.some((f) => f.owner === 'caller' && f.code === 'ConditionalCheckFailed');
    if (taken) return { status: 409, body: { error: `${user.email} has signed up already` } };
    throw error;
  }
}
