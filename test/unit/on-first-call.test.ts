import { describe, expect, it } from 'vitest';
import { onFirstCall } from '../../lib/aws/on-first-call.js';

/** lib/aws/on-first-call.ts: the SQS transport and the Scheduler, with their SDK modules, load on their first call. */
describe('an object loaded on its first call', () => {
  class Target {
    readonly calls: string[] = [];
    async send(lane: string, n: number): Promise<string> {
      this.calls.push(`send ${lane} ${n}`);
      return `sent ${n}`;
    }
    async cancel(name: string): Promise<boolean> {
      this.calls.push(`cancel ${name}`);
      return true;
    }
  }

  it('is not loaded until a method is called, then loaded once and called with its own `this` and arguments', async () => {
    const target = new Target();
    let loads = 0;
    const stand = onFirstCall(async () => {
      loads++;
      return target;
    }, ['send', 'cancel']);
    expect(loads).toBe(0);
    const [a, b] = await Promise.all([stand.send('default', 1), stand.cancel('j-1')]);
    expect(await stand.send('work', 2)).toBe('sent 2');
    expect(loads).toBe(1);
    expect([a, b]).toEqual(['sent 1', true]);
    expect(target.calls).toEqual(['send default 1', 'cancel j-1', 'send work 2']);
  });

  it('fails the call when loading fails, and loads again on the next call', async () => {
    let loads = 0;
    const stand = onFirstCall(async () => {
      if (++loads === 1) throw new Error('module not found');
      return new Target();
    }, ['send']);
    await expect(stand.send('default', 1)).rejects.toThrow('module not found');
    await expect(stand.send('default', 2)).resolves.toBe('sent 2');
    expect(loads).toBe(2);
  });

  it('passes on what the method throws', async () => {
    const stand = onFirstCall(async () => ({ send: async () => { throw new Error('UnknownLaneError'); } }), ['send']);
    await expect(stand.send()).rejects.toThrow('UnknownLaneError');
  });
});
