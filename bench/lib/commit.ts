import { execFileSync } from 'node:child_process';

/**
 * The commit a run measured, as its saved results name it: the short hash of HEAD, with
 * "+changes" when the tree had uncommitted changes to tracked files outside bench/results/ ("unknown"
 * outside git).
 */
export function commitMeasured(root: string): string {
  try {
    const head = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: root, encoding: 'utf8' }).trim();
    // bench/results/ is left out: a run that saves its figures there as it goes would otherwise call its own tree changed.
    const dirty = execFileSync('git', ['status', '--porcelain', '--untracked-files=no', '--', '.', ':!bench/results'], { cwd: root, encoding: 'utf8' }).trim();
    return dirty ? `${head}+changes` : head;
  } catch {
    return 'unknown';
  }
}
