import type { Item } from '@backlog-mcp/shared';
import { decodeItem } from '../../format/item-markdown.js';
import { splitConflict } from './conflict-split.js';
import type { GitStages } from './git-stages.js';

/** One side of a conflict: its text as git wrote it and the item it reads as. */
export interface ConflictSide {
  text: string;
  item: Item;
}

/**
 * What a conflicted item file holds. Only an add/add conflict (two clones each created an item
 * under the same ID) can be repaired without choosing: both items are kept. Two versions of one
 * item (both clones edited it) need a person to choose, so they are only reported.
 */
export type ConflictAnalysis =
  | { fixable: true; ours: ConflictSide; theirs: ConflictSide; hunks: number }
  | { fixable: false; reason: string };

function side(name: 'ours' | 'theirs', text: string, fileId: string, fallbackTime: string) {
  const decoded = decodeItem(text, fileId, fallbackTime);
  return decoded.ok
    ? ({ ok: true, side: { text, item: decoded.item } } as const)
    : ({ ok: false, reason: `${name} does not read as an item (${decoded.error})` } as const);
}

/**
 * Git ends every line before a marker with a newline, so a side whose file had none at its end
 * comes out of the markers with one. Git's own copy of that side settles it, when it is the same
 * text but for that newline (a copy that differs more is stale: the file was edited since).
 */
function exactSide(parsed: string, staged: string | undefined): string {
  return staged !== undefined && (staged === parsed || `${staged}\n` === parsed) ? staged : parsed;
}

/**
 * `fallbackTime`: the file's mtime, as the loader gives it to items without dates. `stages`: git's
 * index copies of the file, when git is at hand; the markers alone are enough without them.
 */
export function analyseConflict(
  text: string,
  fileId: string,
  fallbackTime: string,
  stages?: GitStages,
): ConflictAnalysis {
  const split = splitConflict(text);
  if (!split.ok) return { fixable: false, reason: `the conflict markers are not git's usual ones (${split.error})` };
  const { sides } = split;
  if (sides.hasBase || stages?.base !== undefined) {
    return {
      fixable: false,
      reason: 'both sides changed an item that existed before (the conflict shows a common base): choose by hand',
    };
  }
  const ours = side('ours', exactSide(sides.ours, stages?.ours), fileId, fallbackTime);
  if (!ours.ok) return { fixable: false, reason: ours.reason };
  const theirs = side('theirs', exactSide(sides.theirs, stages?.theirs), fileId, fallbackTime);
  if (!theirs.ok) return { fixable: false, reason: theirs.reason };
  // Two items created apart carry different creation times (to the millisecond); the same
  // created_at on both sides means one item edited in two clones, and keeping both would duplicate it.
  if (ours.side.item.created_at === theirs.side.item.created_at) {
    return {
      fixable: false,
      reason: 'both sides have the same created_at, so they are one item edited in two clones: choose by hand',
    };
  }
  return { fixable: true, ours: ours.side, theirs: theirs.side, hunks: sides.hunks };
}
