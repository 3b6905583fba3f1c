import { existsSync, readdirSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { type EntityType, type Item, parseCanonicalId } from '@backlog-mcp/shared';
import { statedId } from '../../format/item-id-line.js';
import { decodeItem } from '../../format/item-markdown.js';
import { analyseConflict, type ConflictAnalysis } from './add-add-conflict.js';
import { hasConflictMarkers } from './conflict-split.js';
import { type DataLayout, dataLayout } from './data-layout.js';
import { itemOf, NOT_AN_ID } from './disk-mirror.js';
import { type Finding, isProblem } from './doctor-findings.js';
import { checkHighWater, HIGH_WATER_FILE, type StaleMark } from './doctor-high-water.js';
import { readJournalIds } from './doctor-journal.js';
import { checkReferences } from './doctor-references.js';
import { unmergedStages } from './git-stages.js';
import { readRegularFileSync } from './read-regular.js';

export type { Finding, FindingKind } from './doctor-findings.js';
export type { StaleMark } from './doctor-high-water.js';

export interface ConflictedFile {
  name: string;
  id: string;
  /** The text as examined: a repair checks the file still holds it before replacing it. */
  text: string;
  analysis: ConflictAnalysis;
}

export interface Examination {
  backlogDir: string;
  layout: DataLayout;
  /** False when the folder does not exist: nothing was checked. */
  exists: boolean;
  /** Item files looked at (the .md files in tasks/). */
  files: number;
  /** Of those, the ones that read as items. */
  items: number;
  problems: Finding[];
  notes: Finding[];
  conflicts: ConflictedFile[];
  staleMarks: StaleMark[];
  /**
   * Per type, the highest sequence any file name, `id:` line, high-water mark or journal entry
   * uses: an ID the doctor hands out goes above it.
   */
  highest: Map<EntityType, number>;
}

const CHOOSE_ID = 'renaming the file or changing its id means choosing which one is right';
const BY_HAND = 'fix the file by hand; the server skips it and never overwrites it';

/** What tasks/ holds: the items that read, the ID of every item file, and what is wrong. */
interface TaskFolder {
  items: Item[];
  fileIds: Set<string>;
  files: number;
  conflicts: ConflictedFile[];
  findings: Finding[];
  highest: Map<EntityType, number>;
}

function raise(highest: Map<EntityType, number>, id: string | undefined): void {
  const parsed = id === undefined ? null : parseCanonicalId(id);
  if (parsed && parsed.seq > (highest.get(parsed.type) ?? 0)) highest.set(parsed.type, parsed.seq);
}

function conflictFinding(file: string, id: string, analysis: ConflictAnalysis): Finding {
  if (!analysis.fixable) {
    return {
      kind: 'conflict',
      file,
      id,
      message: 'git conflict markers',
      fixable: false,
      unfixedBecause: analysis.reason,
    };
  }
  const titles = `"${analysis.ours.item.title}" and "${analysis.theirs.item.title}"`;
  return {
    kind: 'conflict',
    file,
    id,
    message: `git conflict: two clones each created ${id} (${titles})`,
    fixable: true,
  };
}

/** One file that failed to decode: a conflict, an `id:` line naming another item, or just unreadable. */
function brokenItemFinding(folder: TaskFolder, path: string, id: string, text: string, mtime: string, error: string) {
  const name = basename(path);
  const file = `tasks/${name}`;
  if (hasConflictMarkers(text)) {
    const analysis = analyseConflict(text, id, mtime, unmergedStages(dirname(path), name));
    folder.conflicts.push({ name, id, text, analysis });
    return conflictFinding(file, id, analysis);
  }
  const stated = statedId(text);
  if (stated !== undefined && stated !== id) {
    const message = `its id is ${stated} but the file is named ${name}`;
    return { kind: 'id-mismatch', file, id, message, fixable: false, unfixedBecause: CHOOSE_ID } satisfies Finding;
  }
  const message = `does not parse: ${error}`;
  return { kind: 'unreadable', file, id, message, fixable: false, unfixedBecause: BY_HAND } satisfies Finding;
}

function readItemFile(layout: DataLayout, name: string, folder: TaskFolder): void {
  const file = `tasks/${name}`;
  const parsed = itemOf(name);
  if (!parsed) {
    folder.files++;
    folder.findings.push({ kind: 'unreadable', file, message: NOT_AN_ID, fixable: false, unfixedBecause: BY_HAND });
    return;
  }
  const path = join(layout.tasks, name);
  const read = readRegularFileSync(path);
  if (read.kind === 'missing') return; // deleted since the listing
  folder.files++;
  folder.fileIds.add(parsed.id);
  raise(folder.highest, parsed.id);
  if (read.kind === 'not-regular') {
    const message = 'not a regular file';
    folder.findings.push({ kind: 'unreadable', file, id: parsed.id, message, fixable: false, unfixedBecause: BY_HAND });
    return;
  }
  const { text, info } = read;
  raise(folder.highest, statedId(text));
  const mtime = info.mtime.toISOString();
  const decoded = decodeItem(text, parsed.id, mtime);
  if (!decoded.ok) {
    folder.findings.push(brokenItemFinding(folder, path, parsed.id, text, mtime, decoded.error));
    return;
  }
  folder.items.push(decoded.item);
  if (hasConflictMarkers(text)) {
    const message = 'a line starts like a git conflict marker, though the file reads as an item: check it';
    folder.findings.push({ kind: 'stray-marker', file, id: parsed.id, message, fixable: false });
  }
}

function readTaskFolder(layout: DataLayout): TaskFolder {
  const folder: TaskFolder = {
    items: [],
    fileIds: new Set(),
    files: 0,
    conflicts: [],
    findings: [],
    highest: new Map(),
  };
  let names: string[] = [];
  try {
    names = readdirSync(layout.tasks).sort();
  } catch {
    return folder; // no tasks/ yet: a new backlog
  }
  // Dot-files are writers' temp files; the store reads only .md files, and so does the doctor.
  for (const name of names) if (!name.startsWith('.') && name.endsWith('.md')) readItemFile(layout, name, folder);
  return folder;
}

/**
 * Checks a backlog folder by reading its files, whether or not a server runs on it: conflict
 * markers, files that do not read as items, `id:` lines that disagree with file names, links to
 * items that do not exist, and a high-water mark that would let an issued ID be handed out again.
 * Writes nothing.
 */
export async function examineBacklog(backlogDir: string): Promise<Examination> {
  const layout = dataLayout(backlogDir);
  const exam: Examination = {
    backlogDir,
    layout,
    exists: existsSync(backlogDir),
    files: 0,
    items: 0,
    problems: [],
    notes: [],
    conflicts: [],
    staleMarks: [],
    highest: new Map(),
  };
  if (!exam.exists) return exam;
  const folder = readTaskFolder(layout);
  const journal = await readJournalIds(join(layout.state, 'activity.jsonl'));
  const highWater = await checkHighWater(join(layout.state, HIGH_WATER_FILE), folder.fileIds, journal.issued);
  exam.files = folder.files;
  exam.items = folder.items.length;
  exam.conflicts = folder.conflicts;
  exam.staleMarks = highWater.stale;
  exam.highest = folder.highest;
  for (const id of journal.issued) raise(exam.highest, id);
  for (const [type, mark] of highWater.marks) {
    if (mark > (exam.highest.get(type) ?? 0)) exam.highest.set(type, mark);
  }
  const references = checkReferences(folder.items, folder.fileIds, journal.lastAction);
  for (const finding of [...folder.findings, ...highWater.findings, ...references]) {
    (isProblem(finding) ? exam.problems : exam.notes).push(finding);
  }
  return exam;
}
