import { execFileSync } from 'node:child_process';

/**
 * The commit a run measured, as its saved results name it: the short hash of HEAD, with
 * "+changes" when the tree had uncommitted changes to tracked files ("unknown" outside git).
 */
export function commitMeasured(root: string): string {
  try {
    const head = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: root, encoding: 'utf8' }).trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--untracked-files=no'], { cwd: root, encoding: 'utf8' }).trim();
    return dirty ? `${head}+changes` : head;
  } catch {
    return 'unknown';
  }
}
