import { SESv2Client, SESv2ServiceException, SendEmailCommand } from '@aws-sdk/client-sesv2';
import { PermanentError } from 'jobline';
import type { PayloadOf } from 'jobline';
import { defineHandler, type JobContext } from 'jobline/worker';
import { sendEmail } from './definitions.js';
import { EMAIL_TEMPLATES, render } from './email-templates.js';

const ses = new SESv2Client({});

/** SES errors no retry can fix: the message or the sender is refused. */
const PERMANENT_SES_ERRORS = new Set(['MessageRejected', 'MailFromDomainNotVerifiedException', 'AccountSuspendedException', 'NotFoundException', 'BadRequestException']);
/** A deliberately plain check: one @, a dotted domain, no spaces. SES (and emulators) accept any string. */
const ADDRESS = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/**
 * Renders and sends one templated email through SES, once per send token (the job id when
 * the caller gave none): a retry after the send, a duplicate delivery or a second job with
 * the same token gets the first send's message id and sends nothing. A missing template or
 * variable and an invalid address are permanent; SES errors other than refusals are retried.
 */
export async function sendTemplatedEmail(payload: PayloadOf<typeof sendEmail>, ctx: JobContext): Promise<{ messageId: string | undefined }> {
  const { to, template, variables, token } = payload;
  if (!ADDRESS.test(to)) throw new PermanentError(`"${to}" is not a valid email address`);
  const found = EMAIL_TEMPLATES[template];
  if (!found) throw new PermanentError(`email template "${template}" does not exist; templates: ${Object.keys(EMAIL_TEMPLATES).join(', ')}`);
  const subject = render(found.subject, variables);
  const text = render(found.text, variables);
  const missing = [...new Set([...subject.missing, ...text.missing])];
  if (missing.length > 0) throw new PermanentError(`email template "${template}" needs variables it was not given: ${missing.join(', ')}`);

  return ctx.once(`send:${token ?? ctx.id}`, async () => {
    try {
      const output = await ses.send(new SendEmailCommand({
        FromEmailAddress: process.env.EMAIL_FROM ?? 'jobline@example.com',
        Destination: { ToAddresses: [to] },
        Content: { Simple: { Subject: { Data: subject.text }, Body: { Text: { Data: text.text } } } },
      }), { abortSignal: ctx.signal });
      return { messageId: output.MessageId };
    } catch (error) {
      if (error instanceof SESv2ServiceException && PERMANENT_SES_ERRORS.has(error.name)) {
        throw new PermanentError(`SES refused the message (${error.name}): ${error.message}`);
      }
      throw error;
    }
  });
}

/** `email.send`, bound to its handler. */
export const sendEmailJob = defineHandler(sendEmail, sendTemplatedEmail);
