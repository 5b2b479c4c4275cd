import type { Logger } from '@aws-lambda-powertools/logger';
import type { LogAttributes } from '@aws-lambda-powertools/logger/types';

/**
 * One delivery's log: the worker's logger, each line carrying the job's keys (job id, kind,
 * message id). It writes through the worker's logger with the keys as the line's attributes
 * instead of making a Powertools child logger per job: `createChild` builds a whole Logger (a
 * new Console, the environment read again), and two a job made it most of the worker's own CPU
 * per job (measured with the in-process profile issue 25's note describes). A child is made only
 * for what needs a Logger of its own: the handler's `ctx.logger`, when the handler reads it.
 */
export class JobLog {
  constructor(
    private readonly base: Logger,
    private readonly keys: LogAttributes,
  ) {}

  debug(message: string, ...attributes: LogAttributes[]): void {
    this.base.debug(message, this.keys, ...attributes);
  }

  info(message: string, ...attributes: LogAttributes[]): void {
    this.base.info(message, this.keys, ...attributes);
  }

  warn(message: string, ...attributes: LogAttributes[]): void {
    this.base.warn(message, this.keys, ...attributes);
  }

  error(message: string, ...attributes: LogAttributes[]): void {
    this.base.error(message, this.keys, ...attributes);
  }

  /** A Powertools logger whose lines carry this log's keys and `more`. */
  child(more: LogAttributes): Logger {
    return this.base.createChild({ persistentKeys: { ...this.keys, ...more } });
  }
}
