import { locateQueue, type QueueTarget } from '../lib/local/locate-queue.js';
import { EXIT, type ExitCode } from './exit-codes.js';

/** The CLI's options that choose a queue. */
export interface TargetOptions {
  readonly stack?: string | undefined;
  readonly queue?: string | undefined;
}

/** An error the CLI reports as one plain line, exiting with `exitCode` (see exit-codes.ts). */
export class CliError extends Error {
  override readonly name: string = 'CliError';

  constructor(message: string, readonly exitCode: ExitCode = EXIT.failed) {
    super(message);
  }
}

let located: Promise<QueueTarget> | undefined;

/**
 * The queue the command works on (found once per run: see `locateQueue`), its target
 * printed to stderr first — which account or emulator, which stack — so an operator always
 * sees where a command goes.
 */
export function openTarget(options: TargetOptions): Promise<QueueTarget> {
  located ??= locateQueue({ stack: options.stack, queue: options.queue, words: { stack: '--stack <name> (or JOBLINE_STACK)', queue: '--queue <id>' } }).then((target) => {
    console.error(`jobline: ${target.target}`);
    return target;
  });
  return located;
}
