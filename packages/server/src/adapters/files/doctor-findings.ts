/** What `backlog-mcp doctor` reports, shared by its checks (backlog-doctor.ts and the doctor-*.ts modules). */

export type FindingKind =
  | 'conflict'
  | 'unreadable'
  | 'id-mismatch'
  | 'missing-reference'
  | 'stale-high-water'
  | 'deleted-blocker'
  | 'outside-reference'
  | 'stray-marker';

/** One thing the doctor saw. Problems make it exit 1; notes are said and do not. */
export interface Finding {
  kind: FindingKind;
  /** The file, relative to the backlog folder: tasks/TASK-0001.md. */
  file?: string;
  /** The item the finding is about. */
  id?: string;
  message: string;
  /** `doctor --fix` repairs it. */
  fixable: boolean;
  /** Why a person has to repair it, when --fix does not. */
  unfixedBecause?: string;
}

/**
 * States the server itself produces or tolerates, said but not counted as problems: a deleted
 * blocker counts as resolved, a URL may name an ID of another tracker, and a marker-like line in a
 * body that reads fine may be a quoted example.
 */
const NOTE_KINDS: ReadonlySet<FindingKind> = new Set(['deleted-blocker', 'outside-reference', 'stray-marker']);

export function isProblem(finding: Finding): boolean {
  return !NOTE_KINDS.has(finding.kind);
}
