import { randomUUID } from 'node:crypto';
import type { JobClient } from 'jobline';
import { z } from 'zod';
import { welcomeEmail } from './jobs.js';

/** A user as the app stores it. */
export interface User {
  readonly userId: string;
  readonly email: string;
  readonly name: string;
  readonly createdAt: string;
}

/** Where users live: DynamoDB in the API, a Map in unit tests. */
export interface Users {
  /** Stores a new user; `exists` when the email is taken (and nothing is written). */
  create(user: User): Promise<'created' | 'exists'>;
}

/** An HTTP answer. */
export interface Reply {
  readonly status: number;
  readonly body: Record<string, unknown>;
}

const signupBody = z.object({ email: z.email(), name: z.string().trim().min(1).max(100) });

/**
 * `POST /signup`: stores the user, then enqueues their welcome email. A taken email is a 409
 * and enqueues nothing. Not atomic: if the enqueue fails after the user was written, the user
 * exists without a welcome email (the error reaches the caller as a 500).
 */
export async function signup(body: string | undefined, deps: { users: Users; jobs: JobClient; now?: () => Date }): Promise<Reply> {
  let json: unknown;
  try {
    json = JSON.parse(body ?? '');
  } catch {
    return { status: 400, body: { error: 'the body must be JSON: {"email": string, "name": string}' } };
  }
  const parsed = signupBody.safeParse(json);
  if (!parsed.success) return { status: 400, body: { error: parsed.error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`).join('; ') } };
  const user: User = { userId: randomUUID(), email: parsed.data.email.toLowerCase(), name: parsed.data.name, createdAt: (deps.now?.() ?? new Date()).toISOString() };
  if ((await deps.users.create(user)) === 'exists') return { status: 409, body: { error: `${user.email} has signed up already` } };
  const job = await deps.jobs.enqueue(welcomeEmail, { userId: user.userId, email: user.email, name: user.name });
  return { status: 201, body: { userId: user.userId, welcomeJobId: job.id } };
}
