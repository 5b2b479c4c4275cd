import { ConflictException, CreateScheduleCommand, DeleteScheduleCommand, GetScheduleCommand, ResourceNotFoundException, type SchedulerClient } from '@aws-sdk/client-scheduler';
import { laneConfigOf, type JoblineConfig } from '../config.js';
import { UnknownLaneError } from '../errors.js';
import { withGroup } from '../job-message.js';
import { atExpression, type JobScheduler } from './job-scheduler.js';
import type { Sender } from '../aws/sender.js';

/** {@link JobScheduler} on EventBridge Scheduler: `at()` schedules that delete themselves after firing. */
export class EventBridgeScheduler implements JobScheduler {
  constructor(
    private readonly scheduler: Sender<SchedulerClient>,
    private readonly config: Pick<JoblineConfig, 'lanes' | 'scheduler'>,
  ) {}

  async scheduleOnce(name: string, at: Date, lane: string, message: string, groupId?: string): Promise<void> {
    const target = laneConfigOf(this.config.lanes, lane);
    if (!target) throw new UnknownLaneError(lane, Object.keys(this.config.lanes));
    const body = withGroup(message, groupId);
    try {
      await this.scheduler.send(new CreateScheduleCommand({
        Name: name,
        GroupName: this.config.scheduler.groupName,
        ScheduleExpression: atExpression(at),
        ScheduleExpressionTimezone: 'UTC',
        FlexibleTimeWindow: { Mode: 'OFF' },
        ActionAfterCompletion: 'DELETE',
        Target: { Arn: target.queueArn, RoleArn: this.config.scheduler.roleArn, Input: body },
      }));
    } catch (error) {
      // Names are per job (and retry): a schedule of this name that sends this very message is
      // this one, created by a request whose response was lost (AWS answers the SDK's retry by
      // its ClientToken; an emulator may answer Conflict).
      if (!(error instanceof ConflictException) || (await this.messageOf(name)) !== body) throw error;
    }
  }

  async cancel(name: string): Promise<boolean> {
    try {
      await this.scheduler.send(new DeleteScheduleCommand({ Name: name, GroupName: this.config.scheduler.groupName }));
      return true;
    } catch (error) {
      if (error instanceof ResourceNotFoundException) return false;
      throw error;
    }
  }

  async messageOf(name: string): Promise<string | undefined> {
    try {
      const schedule = await this.scheduler.send(new GetScheduleCommand({ Name: name, GroupName: this.config.scheduler.groupName }));
      return schedule.Target?.Input;
    } catch (error) {
      if (error instanceof ResourceNotFoundException) return undefined;
      throw error;
    }
  }
}
