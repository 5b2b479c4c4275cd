import { withGroup } from '../job-message.js';
import type { JobScheduler } from '../scheduler/job-scheduler.js';

/** A `JobScheduler` that keeps its schedules in a map, for unit tests. */
export class MemoryScheduler implements JobScheduler {
  readonly schedules = new Map<string, { at: Date; lane: string; body: string }>();

  async scheduleOnce(name: string, at: Date, lane: string, body: string, groupId?: string): Promise<void> {
    // As EventBridge Scheduler answers (the sweep relies on the name): a schedule of that name exists.
    if (this.schedules.has(name)) throw Object.assign(new Error(`schedule ${name} already exists`), { name: 'ConflictException' });
    // As the EventBridge one sends it: the group in the body.
    this.schedules.set(name, { at, lane, body: withGroup(body, groupId) });
  }

  async cancel(name: string): Promise<boolean> {
    return this.schedules.delete(name);
  }

  async messageOf(name: string): Promise<string | undefined> {
    return this.schedules.get(name)?.body;
  }
}
