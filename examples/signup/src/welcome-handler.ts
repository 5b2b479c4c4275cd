import { PermanentError, type PayloadOf } from 'jobline';
import { defineHandler } from 'jobline/worker';
import { welcomeEmail } from './jobs.js';

/** One email to send: what the handler asks its mailer for. */
export interface Email {
  readonly to: string;
  readonly subject: string;
  readonly text: string;
}

/** Sends an email; SES in the worker, a list in unit tests. */
export type Mailer = (email: Email, signal: AbortSignal) => Promise<void>;

/**
 * The welcome email's handler, bound to a mailer. `ctx.once` keys the send by user, so a retry
 * or a duplicate delivery after the send was recorded sends nothing again.
 */
export function welcomeJob(mailer: Mailer) {
  return defineHandler(welcomeEmail, async (user: PayloadOf<typeof welcomeEmail>, ctx) => {
    if (user.email.endsWith('.invalid')) throw new PermanentError(`"${user.email}" is on a reserved domain that takes no mail`);
    await ctx.once(`welcome:${user.userId}`, () => mailer({
      to: user.email,
      subject: `Welcome, ${user.name}`,
      text: `Hi ${user.name},\n\nyour account is ready.\n`,
    }, ctx.signal));
    return { sentTo: user.email };
  });
}
