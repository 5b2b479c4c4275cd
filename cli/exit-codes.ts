/**
 * What the CLI's exit code tells a script: whether to go on, fix the command, look elsewhere or
 * try again later. `jobline --help` lists them.
 */
export const EXIT = {
  /** Done. */
  ok: 0,
  /** Something it was asked to do failed (a retry refused for one of the ids, the API refusing a job), or an unexpected error. */
  failed: 1,
  /** Bad arguments or options: the command did nothing. */
  usage: 2,
  /** The job, lane, stack or queue named was not found (or several queues are there and none was chosen). */
  notFound: 3,
  /** AWS or the emulator could not be reached: no credentials, no region, nothing listening. */
  unreachable: 4,
  /** `jobs result`: the job has not finished (within `--wait`): ask again later. */
  pending: 5,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** The exit codes, for `--help`. */
export const EXIT_CODES_HELP = `Exit codes:
  ${EXIT.ok}  done
  ${EXIT.failed}  something it was asked to do failed (e.g. a retry refused for one of the ids), or an unexpected error
  ${EXIT.usage}  bad arguments or options: nothing was done
  ${EXIT.notFound}  the job, lane, stack or queue named was not found (or several queues and none chosen)
  ${EXIT.unreachable}  AWS or the emulator could not be reached (credentials, region, network): fix the environment or try again
  ${EXIT.pending}  jobs result: the job has not finished yet (within --wait): ask again later`;
