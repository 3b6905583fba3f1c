import { ENTITY_TYPES, formatId, normalizeId, TYPE_PREFIX } from '@backlog-mcp/shared';

const TYPE_WORDS: Record<string, string> = {
  task: 'TASK',
  epic: 'EPIC',
  folder: 'FLDR',
  fldr: 'FLDR',
  artifact: 'ARTF',
  artf: 'ARTF',
  milestone: 'MLST',
  mlst: 'MLST',
};

/**
 * IDs a query points at, best guess first. "TASK-12", "task 12", "epic 3" name one
 * item; a bare "0012" could be any type. Typo tolerance cannot bridge zero-padding,
 * so this runs before any text matching.
 */
export function idCandidates(query: string): string[] {
  const text = query.trim();
  const direct = normalizeId(text);
  if (direct) return [direct.id];
  const spaced = /^(task|epic|folder|fldr|artifact|artf|milestone|mlst)s?\s*#?\s*0*(\d{1,9})$/i.exec(text);
  if (spaced)
    return [`${TYPE_WORDS[(spaced[1] as string).toLowerCase()]}-${String(Number(spaced[2])).padStart(4, '0')}`];
  const bare = /^#?0*(\d{1,9})$/.exec(text);
  if (bare && (text.replace('#', '').length >= 4 || text.startsWith('#'))) {
    const seq = Number(bare[1]);
    if (seq > 0) return ENTITY_TYPES.map((type) => formatId(type, seq));
  }
  // IDs written inside a longer query ("blocked by TASK-0042") still count.
  const inside = text.match(/\b(TASK|EPIC|FLDR|ARTF|MLST)-\d{1,9}\b/gi) ?? [];
  return inside.flatMap((raw) => {
    const id = normalizeId(raw);
    return id ? [id.id] : [];
  });
}

export const ID_PREFIXES = Object.values(TYPE_PREFIX);
