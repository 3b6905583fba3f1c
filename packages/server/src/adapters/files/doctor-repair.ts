import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { type EntityType, formatId, TYPE_PREFIX } from '@backlog-mcp/shared';
import type { ActivityEntry } from '../../core/activity.js';
import { renameItemText } from '../../format/item-id-line.js';
import { decodeItem, encodeItem } from '../../format/item-markdown.js';
import type { ConflictSide } from './add-add-conflict.js';
import { createFileExclusive, writeFileAtomic } from './atomic-write.js';
import type { ConflictedFile, Examination } from './backlog-doctor.js';
import { itemFile } from './data-layout.js';
import { HIGH_WATER_FILE } from './doctor-high-water.js';
import { HighWaterMarks } from './high-water.js';
import { JsonlJournal } from './journal-file.js';
import { readRegularFileSync } from './read-regular.js';

/** One repair made, as the CLI prints it and --json returns it. */
export type Repair =
  | { kind: 'split'; file: string; ours: string; theirs: string; message: string }
  | { kind: 'high-water'; file: string; prefix: string; from: number; to: number; message: string };

export interface RepairResult {
  repairs: Repair[];
  /** Repairs that were due but not made, with why. */
  skipped: string[];
}

export interface RepairOptions {
  /** Who the activity journal says made the change. */
  actor: string;
  now?: () => Date;
  log?: (line: string) => void;
}

/** Theirs under its new ID: only the `id:` line changes when it can; otherwise the item is re-encoded. */
function renamedText(theirs: ConflictSide, from: string, to: string): string {
  const text = renameItemText(theirs.text, from, to) ?? encodeItem({ ...theirs.item, id: to });
  const back = decodeItem(text, to, theirs.item.updated_at);
  // The last guard before the disk, as in the store: never write what does not read back the same.
  if (!back.ok || back.item.title !== theirs.item.title || back.item.description !== theirs.item.description) {
    throw new Error(`theirs side of ${from} does not read back unchanged as ${to}`);
  }
  return text;
}

function stillHolds(path: string, text: string): boolean {
  const read = readRegularFileSync(path);
  return read.kind === 'file' && read.text === text;
}

class Repairer {
  readonly result: RepairResult = { repairs: [], skipped: [] };
  private readonly highest: Map<EntityType, number>;

  constructor(
    private readonly exam: Examination,
    private readonly marks: HighWaterMarks,
    private readonly journal: JsonlJournal,
    private readonly options: RepairOptions,
  ) {
    this.highest = new Map(exam.highest);
  }

  private at(): string {
    return (this.options.now?.() ?? new Date()).toISOString();
  }

  /**
   * Ours keeps the ID; theirs is written first under the next free ID, so a crash between the two
   * writes leaves a duplicate to delete, never a lost item. The mark is raised before theirs
   * exists (as the store does before a delete), so its ID can never be handed out again.
   */
  async split(conflict: ConflictedFile): Promise<void> {
    const { analysis, id, name } = conflict;
    if (!analysis.fixable) return;
    const path = join(this.exam.layout.tasks, name);
    if (!stillHolds(path, conflict.text)) {
      this.result.skipped.push(`tasks/${name} changed while the doctor ran; run it again`);
      return;
    }
    const type = analysis.ours.item.type;
    let seq = (this.highest.get(type) ?? 0) + 1;
    let theirsId = formatId(type, seq);
    for (;;) {
      let text: string;
      try {
        text = renamedText(analysis.theirs, id, theirsId);
      } catch (error) {
        this.result.skipped.push(`tasks/${name}: ${error instanceof Error ? error.message : String(error)}`);
        return;
      }
      await this.marks.raise(TYPE_PREFIX[type], seq);
      if (await createFileExclusive(itemFile(this.exam.layout, theirsId), text)) break;
      theirsId = formatId(type, ++seq); // created a moment ago by a running server
    }
    this.highest.set(type, seq);
    if (!stillHolds(path, conflict.text)) {
      this.result.skipped.push(
        `tasks/${name} changed while the doctor ran: theirs was saved as ${theirsId}; check both`,
      );
      return;
    }
    await writeFileAtomic(path, analysis.ours.text);
    const message = `${id} was in conflict: ours kept ${id}, theirs is now ${theirsId}`;
    await this.record({
      action: 'updated',
      id,
      summary: `git conflict resolved: ours kept ${id}, theirs is now ${theirsId}`,
    });
    await this.record({ action: 'created', id: theirsId, summary: `theirs side of the git conflict in ${id}` });
    this.result.repairs.push({ kind: 'split', file: `tasks/${name}`, ours: id, theirs: theirsId, message });
  }

  async raiseMarks(): Promise<void> {
    for (const stale of this.exam.staleMarks) {
      const from = this.marks.get(stale.prefix);
      if (from >= stale.seq) continue; // a split just raised it past
      await this.marks.raise(stale.prefix, stale.seq);
      this.result.repairs.push({
        kind: 'high-water',
        file: `.state/${HIGH_WATER_FILE}`,
        prefix: stale.prefix,
        from,
        to: stale.seq,
        message: `raised the ${stale.prefix} high-water mark from ${from} to ${stale.seq}: ${stale.issued} will not be handed out again`,
      });
    }
  }

  private async record(entry: Pick<ActivityEntry, 'action' | 'id' | 'summary'>): Promise<void> {
    await this.journal.append({ at: this.at(), tool: 'doctor', actor: this.options.actor, ...entry });
  }
}

/**
 * Makes the repairs that lose nothing and need no choice: splits add/add conflicts into two items
 * and raises stale high-water marks. Everything else in the examination is left as it is.
 */
export async function repairBacklog(exam: Examination, options: RepairOptions): Promise<RepairResult> {
  const log = options.log ?? (() => undefined);
  await mkdir(exam.layout.state, { recursive: true });
  const marks = await HighWaterMarks.open(join(exam.layout.state, HIGH_WATER_FILE));
  const journal = await JsonlJournal.open(join(exam.layout.state, 'activity.jsonl'), log);
  const repairer = new Repairer(exam, marks, journal, options);
  for (const conflict of exam.conflicts) await repairer.split(conflict);
  await repairer.raiseMarks();
  return repairer.result;
}
