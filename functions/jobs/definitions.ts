import { z } from 'zod';
import { defineJob } from '../../lib/job-definition.js';

/**
 * The reference app's job kinds, as data: the CDK app, the enqueue API and the worker all
 * import this file; only the worker imports the handlers.
 */
export const sendEmail = defineJob({
  kind: 'email.send',
  schema: z.object({
    to: z.email({ error: 'to must be an email address' }),
    template: z.string().min(1),
    variables: z.record(z.string(), z.string()).default({}),
    /** Send token: jobs with the same token send one email between them. @default the job id */
    token: z.string().min(1).max(200).optional(),
  }),
  retry: { maxAttempts: 6, backoffBaseSeconds: 10, backoffCapSeconds: 600 },
  timeoutSeconds: 10,
});

/** Every kind of the reference app. */
export const referenceJobs = [sendEmail] as const;
