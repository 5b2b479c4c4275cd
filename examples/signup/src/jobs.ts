import { defineJob } from 'jobline';
import * as z from 'zod';

/**
 * The app's one job kind: a welcome email for a new user. Definitions are data — the CDK app,
 * the API and the worker all import this file; only the worker imports the handler.
 */
export const welcomeEmail = defineJob({
  kind: 'signup.welcome',
  schema: z.object({ userId: z.string().min(1), email: z.email(), name: z.string().min(1).max(100) }),
  retry: { maxAttempts: 5, backoffBaseSeconds: 2, backoffCapSeconds: 60 },
  timeoutSeconds: 10,
});
