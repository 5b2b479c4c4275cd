import { SESv2Client, SendEmailCommand } from '@aws-sdk/client-sesv2';
import { createWorker } from 'jobline/worker';
import { welcomeJob, type Mailer } from './welcome-handler.js';

const ses = new SESv2Client({});
const sendWithSes: Mailer = async (email, signal) => {
  await ses.send(new SendEmailCommand({
    FromEmailAddress: process.env.EMAIL_FROM,
    Destination: { ToAddresses: [email.to] },
    Content: { Simple: { Subject: { Data: email.subject }, Body: { Text: { Data: email.text } } } },
  }), { abortSignal: signal });
};

/** The worker Lambda: every kind of the app bound to its handler. */
export const handler = createWorker({ jobs: [welcomeJob(sendWithSes)] });
