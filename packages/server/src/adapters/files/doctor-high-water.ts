import { ENTITY_TYPES, type EntityType, formatId, parseCanonicalId, TYPE_PREFIX } from '@backlog-mcp/shared';
import type { Finding } from './doctor-findings.js';
import { HighWaterMarks } from './high-water.js';

/** In .state/: the highest sequence ever used per ID prefix (see high-water.ts). */
export const HIGH_WATER_FILE = 'ids.json';

/** A mark below an ID that was issued and is gone: that ID could be handed out again. */
export interface StaleMark {
  type: EntityType;
  prefix: string;
  mark: number;
  /** The highest ID the journal shows was issued. */
  issued: string;
  seq: number;
}

export interface HighWaterCheck {
  marks: Map<EntityType, number>;
  stale: StaleMark[];
  findings: Finding[];
}

function highestOf(type: EntityType, ids: Iterable<string>): number {
  let highest = 0;
  for (const id of ids) {
    const parsed = parseCanonicalId(id);
    if (parsed?.type === type && parsed.seq > highest) highest = parsed.seq;
  }
  return highest;
}

/**
 * The store hands out max(highest file, mark) + 1 and raises the mark only when it deletes an item
 * itself. So a mark below the highest file is normal; what is not is an ID the journal shows was
 * issued, above both, whose file has gone some other way (git pull, rm, another clone's delete):
 * the next creates would reach that ID again.
 */
export async function checkHighWater(
  path: string,
  fileIds: ReadonlySet<string>,
  issued: ReadonlySet<string>,
): Promise<HighWaterCheck> {
  const marks = await HighWaterMarks.open(path);
  const check: HighWaterCheck = { marks: new Map(), stale: [], findings: [] };
  for (const type of ENTITY_TYPES) {
    const prefix = TYPE_PREFIX[type];
    const mark = marks.get(prefix);
    check.marks.set(type, mark);
    const present = highestOf(type, fileIds);
    const seq = highestOf(type, issued);
    if (seq <= Math.max(mark, present)) continue;
    const id = formatId(type, seq);
    check.stale.push({ type, prefix, mark, issued: id, seq });
    const highestFile = present > 0 ? formatId(type, present) : 'none';
    check.findings.push({
      kind: 'stale-high-water',
      file: `.state/${HIGH_WATER_FILE}`,
      message:
        `the high-water mark for ${prefix} is ${mark} and the highest ${prefix} file is ${highestFile}, but the ` +
        `activity journal shows ${id} was issued and its file is gone: that ID could be handed out again`,
      fixable: true,
    });
  }
  return check;
}
