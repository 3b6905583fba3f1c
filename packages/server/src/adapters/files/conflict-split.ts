/**
 * Reads a file git left with conflict markers back into its two sides. Pure: text in, text out.
 *
 * Git writes each conflicting hunk as
 *   <<<<<<< ours-label
 *   ours lines
 *   ||||||| base-label      (diff3 and zdiff3 only)
 *   base lines
 *   =======
 *   theirs lines
 *   >>>>>>> theirs-label
 * and every line outside the hunks is common to both sides.
 */

export interface ConflictSides {
  ours: string;
  theirs: string;
  hunks: number;
  /**
   * True when some hunk shows lines of a common ancestor (diff3 style): both sides changed a file
   * that existed before, so they are two versions of one thing, not two new things. An add/add
   * conflict has an empty base.
   */
  hasBase: boolean;
}

export type ConflictSplit = { ok: true; sides: ConflictSides } | { ok: false; error: string };

type Marker = 'start' | 'base' | 'middle' | 'end';

/**
 * Git's markers are seven characters at the start of a line; the start, base and end markers
 * may carry a label after a space. A file that uses another conflict-marker-size is not read.
 */
function markerOf(line: string): Marker | undefined {
  const bare = line.replace(/\r?\n$/, '');
  if (bare === '=======') return 'middle';
  const match = /^(<{7}|\|{7}|>{7})(?: .*)?$/.exec(bare);
  if (!match) return undefined;
  return match[1] === '<<<<<<<' ? 'start' : match[1] === '|||||||' ? 'base' : 'end';
}

/** Lines with their own line endings, so joining them gives back the text byte for byte. */
function linesOf(text: string): string[] {
  return text.match(/[^\n]*\n|[^\n]+$/g) ?? [];
}

/**
 * True when a line starts with a conflict marker other than "=======" (which alone is also a
 * Markdown heading underline). The codec refuses a file only when all three markers appear in
 * order; a stray one left behind by a half-done resolution is found here too.
 */
export function hasConflictMarkers(text: string): boolean {
  return linesOf(text).some((line) => {
    const marker = markerOf(line);
    return marker !== undefined && marker !== 'middle';
  });
}

/** Splits a conflicted file into ours and theirs; an error names the first line that does not fit. */
export function splitConflict(text: string): ConflictSplit {
  let state: 'common' | 'ours' | 'base' | 'theirs' = 'common';
  let ours = '';
  let theirs = '';
  let hunks = 0;
  let hasBase = false;
  const lines = linesOf(text);
  for (const [index, line] of lines.entries()) {
    const marker = markerOf(line);
    const at = `line ${index + 1}`;
    if (state === 'common') {
      // "=======" outside a hunk is ordinary text (a heading underline).
      if (marker === 'start') {
        state = 'ours';
        hunks++;
      } else if (marker === 'base' || marker === 'end') {
        return { ok: false, error: `${at}: a ${marker === 'base' ? '|||||||' : '>>>>>>>'} marker outside a conflict` };
      } else {
        ours += line;
        theirs += line;
      }
    } else if (state === 'ours') {
      if (marker === 'base') state = 'base';
      else if (marker === 'middle') state = 'theirs';
      else if (marker) return { ok: false, error: `${at}: expected ||||||| or ======= before this marker` };
      else ours += line;
    } else if (state === 'base') {
      if (marker === 'middle') state = 'theirs';
      else if (marker) return { ok: false, error: `${at}: expected ======= after the ||||||| section` };
      else hasBase = true;
    } else if (marker === 'end') {
      state = 'common';
    } else if (marker) {
      return { ok: false, error: `${at}: expected >>>>>>> to end the conflict` };
    } else {
      theirs += line;
    }
  }
  if (state !== 'common') return { ok: false, error: 'the file ends inside a conflict (no >>>>>>> line)' };
  if (hunks === 0) return { ok: false, error: 'no <<<<<<< line' };
  return { ok: true, sides: { ours, theirs, hunks, hasBase } };
}
