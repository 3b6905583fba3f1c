import { CONTAINER_TYPES, type EntityType, type Item, normalizeId, TYPE_PREFIX } from '@backlog-mcp/shared';
import { invalid, notFound } from './errors.js';

/** Resolves a user-written ID to its canonical form, or explains what an ID looks like. */
export function requireId(field: string, value: string): string {
  const parsed = normalizeId(value);
  if (!parsed) {
    const prefixes = Object.values(TYPE_PREFIX).join(', ');
    throw invalid(field, `an item ID such as TASK-0001 (prefixes ${prefixes})`, value);
  }
  return parsed.id;
}

/** ISO calendar date (YYYY-MM-DD) that actually exists: 2026-02-30 is refused. */
export function requireDate(field: string, value: string): string {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  if (match) {
    const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
    const date = new Date(Date.UTC(year, month - 1, day));
    if (date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day) {
      return value;
    }
  }
  throw invalid(field, 'an ISO date YYYY-MM-DD that exists, such as 2026-12-31', value);
}

/** Titles are one line: a newline or control character in a title breaks every list view. */
export function requireTitle(field: string, value: string): string {
  if (value.trim().length === 0) throw invalid(field, 'a non-empty title', value);
  // biome-ignore lint/suspicious/noControlCharactersInRegex: rejecting control characters is the point
  if (/[\u0000-\u0008\u000a-\u001f\u007f\u0085\u2028\u2029]/.test(value)) {
    throw invalid(field, 'a single line of text without control characters', value);
  }
  return value;
}

/**
 * The git merge-conflict markers, in order, at line starts. A stored file holding them reads as
 * an unresolved merge (reported, never loaded), so a body must not bring them in.
 */
export const CONFLICT_MARKERS = /(^|\n)<{7}( [^\n]*)?\r?\n[\s\S]*?\n={7}\r?\n[\s\S]*?\n>{7}( [^\n]*)?(\r?\n|$)/;

export function requireNoConflictMarkers(field: string, value: string): string {
  if (CONFLICT_MARKERS.test(value)) {
    throw invalid(
      field,
      'text without a git merge-conflict block (lines starting <<<<<<<, =======, >>>>>>>)',
      value,
      'A file holding one reads as an unresolved merge; indent the markers (for example in a code block).',
    );
  }
  return value;
}

type Lookup = (id: string) => Promise<Item | undefined>;

/** An epic_id must name an existing epic, and an epic cannot sit inside an epic. */
export async function checkEpic(epicId: string, ownType: EntityType, lookup: Lookup): Promise<void> {
  if (ownType === 'epic') {
    throw invalid('epic_id', 'no epic_id on an epic (nest epics with parent_id)', epicId);
  }
  const epic = await lookup(epicId);
  if (!epic) throw notFound('epic_id', epicId, 'Create the epic first or pick one from backlog_list type=epic.');
  if (epic.type !== 'epic') {
    throw invalid('epic_id', 'the ID of an epic (EPIC-...)', epicId, `${epicId} is a ${epic.type}.`);
  }
}

/**
 * A parent must exist, be able to contain items, and must not be the item itself
 * or one of its descendants (that would make a cycle nobody can navigate).
 */
export async function checkParent(parentId: string, ownId: string | undefined, lookup: Lookup): Promise<void> {
  if (parentId === ownId) throw invalid('parent_id', 'another item than the item itself', parentId);
  const parent = await lookup(parentId);
  if (!parent) throw notFound('parent_id', parentId);
  if (!CONTAINER_TYPES.includes(parent.type)) {
    throw invalid(
      'parent_id',
      `an item that can contain others (${CONTAINER_TYPES.join(', ')})`,
      parentId,
      `${parentId} is an ${parent.type}.`,
    );
  }
  if (!ownId) return;
  const seen = new Set<string>();
  let cursor: Item | undefined = parent;
  while (cursor?.parent_id && !seen.has(cursor.id)) {
    seen.add(cursor.id);
    if (cursor.parent_id === ownId) {
      throw invalid(
        'parent_id',
        'a parent that is not one of the item’s own descendants',
        parentId,
        `${parentId} is inside ${ownId}, so this would make a cycle.`,
      );
    }
    cursor = await lookup(cursor.parent_id);
  }
}
