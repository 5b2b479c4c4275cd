import { describe, expect, it } from 'vitest';
import { onFirstSend } from '../../lib/aws/on-first-send.js';

/** lib/aws/on-first-send.ts: the worker's SQS and Scheduler clients are made when first used, not at its cold start. */
describe('a client made on its first send', () => {
  it('is not made until something is sent, then made once and used for every send', async () => {
    let made = 0;
    const sent: string[] = [];
    const client = { send: async (command: string) => sent.push(command) };
    const lazy = onFirstSend(() => {
      made++;
      return client;
    });
    expect(made).toBe(0);
    await lazy.send('a');
    await lazy.send('b');
    expect(made).toBe(1);
    expect(sent).toEqual(['a', 'b']);
    expect(lazy.client()).toBe(client);
    expect(made).toBe(1);
  });
});
