/** One message ministack's SES accepted. */
export interface SentMail {
  readonly MessageId?: string;
  readonly To?: string[];
  readonly Subject?: string;
  readonly BodyText?: string;
}

/**
 * Every message ministack's SES accepted, read from `/_ministack/ses/messages` (which groups
 * them by account), oldest first. Throws when the emulator does not answer that route.
 */
export async function sentMail(endpoint: string): Promise<SentMail[]> {
  const response = await fetch(new URL('/_ministack/ses/messages', endpoint));
  if (!response.ok) throw new Error(`${endpoint} did not list sent mail (HTTP ${response.status}): is it ministack?`);
  const { messages } = (await response.json()) as { messages?: unknown };
  if (Array.isArray(messages)) return messages as SentMail[];
  return Object.values(messages ?? {}).flatMap((group) => (Array.isArray(group) ? group : [group])) as SentMail[];
}
