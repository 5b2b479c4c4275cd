import { SESv2Client, SESv2ServiceException, SendEmailCommand } from '@aws-sdk/client-sesv2';
import { PermanentError } from '../../lib/errors.js';
import { defineHandler } from '../../lib/worker/job-handler.js';
import { sendEmail } from './definitions.js';
import { EMAIL_TEMPLATES, render } from './email-templates.js';

const ses = new SESv2Client({});

/** Sends one templated email through SES. A missing template or variable is permanent; SES errors are retried. */
export const sendEmailJob = defineHandler(sendEmail, async ({ to, template, variables }, ctx) => {
  const found = EMAIL_TEMPLATES[template];
  if (!found) throw new PermanentError(`email template "${template}" does not exist; templates: ${Object.keys(EMAIL_TEMPLATES).join(', ')}`);
  const subject = render(found.subject, variables);
  const text = render(found.text, variables);
  const missing = [...new Set([...subject.missing, ...text.missing])];
  if (missing.length > 0) throw new PermanentError(`email template "${template}" needs variables it was not given: ${missing.join(', ')}`);
  try {
    const output = await ses.send(new SendEmailCommand({
      FromEmailAddress: process.env.EMAIL_FROM ?? 'jobline@example.com',
      Destination: { ToAddresses: [to] },
      Content: { Simple: { Subject: { Data: subject.text }, Body: { Text: { Data: text.text } } } },
    }), { abortSignal: ctx.signal });
    return { messageId: output.MessageId };
  } catch (error) {
    // Rejections of the message or the sender are configuration problems: retrying cannot fix them.
    if (error instanceof SESv2ServiceException && PERMANENT_SES_ERRORS.has(error.name)) {
      throw new PermanentError(`SES refused the message (${error.name}): ${error.message}`);
    }
    throw error;
  }
});

const PERMANENT_SES_ERRORS = new Set(['MessageRejected', 'MailFromDomainNotVerifiedException', 'AccountSuspendedException', 'NotFoundException', 'BadRequestException']);
