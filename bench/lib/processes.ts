/**
 * The local processes behind the emulator, read from Linux's /proc: the emulator runs each
 * Lambda function as `node` worker processes (found by the AWS_LAMBDA_FUNCTION_NAME in their
 * environment) and serves every AWS API from its own Python process. The deployed sections use
 * this to say where a run's CPU time and memory went.
 */
import { readdirSync, readFileSync } from 'node:fs';

/** Clock ticks per second of /proc's CPU times (USER_HZ: 100 on Linux). */
const TICKS_PER_SECOND = 100;

function allPids(): number[] {
  return readdirSync('/proc').filter((entry) => /^\d+$/.test(entry)).map(Number);
}

function read(pid: number, file: string, encoding: BufferEncoding = 'utf8'): string | undefined {
  try {
    return readFileSync(`/proc/${pid}/${file}`, encoding);
  } catch {
    return undefined; // it exited meanwhile, or is not ours
  }
}

/** The worker processes the emulator runs for a Lambda function. */
export function functionProcesses(functionName: string): number[] {
  const mine = `AWS_LAMBDA_FUNCTION_NAME=${functionName}\0`;
  return allPids().filter((pid) => read(pid, 'environ', 'latin1')?.includes(mine));
}

/** The emulator's own processes (ministack). */
export function emulatorProcesses(): number[] {
  return allPids().filter((pid) => /bin\/ministack/.test(read(pid, 'cmdline', 'latin1')?.replaceAll('\0', ' ') ?? ''));
}

/** CPU seconds (user + system) the processes have used so far; exited ones count 0. */
export function cpuSeconds(pids: readonly number[]): number {
  let ticks = 0;
  for (const pid of pids) {
    const stat = read(pid, 'stat');
    if (!stat) continue;
    // Fields after the command name (which may hold spaces) start after its closing parenthesis.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    ticks += Number(fields[11]) + Number(fields[12]);
  }
  return ticks / TICKS_PER_SECOND;
}

/** Peak resident memory (VmHWM) of a process in KiB, or 0 if it is gone. */
export function peakResidentKb(pid: number): number {
  const hwm = /VmHWM:\s+(\d+) kB/.exec(read(pid, 'status') ?? '');
  return hwm ? Number(hwm[1]) : 0;
}
