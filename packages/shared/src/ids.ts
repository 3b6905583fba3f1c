import { ENTITY_TYPES, type EntityType, TYPE_PREFIX } from './entities.js';

/** IDs are padded to at least four digits; longer sequences simply grow. */
export const ID_MIN_DIGITS = 4;
/** Canonical form only: upper-case prefix, dash, ≥ 4 digits. Used to name files. */
export const CANONICAL_ID = /^(TASK|EPIC|FLDR|ARTF|MLST)-(\d{4,})$/;
/** What a person or an agent may type: any case, optional dash, any padding. */
const LOOSE_ID = /^\s*(task|epic|fldr|artf|mlst)[-_ ]?0*(\d{1,12})\s*$/i;

const TYPE_BY_PREFIX: ReadonlyMap<string, EntityType> = new Map(ENTITY_TYPES.map((type) => [TYPE_PREFIX[type], type]));

export interface ParsedId {
  id: string;
  type: EntityType;
  seq: number;
}

export function formatId(type: EntityType, seq: number): string {
  return `${TYPE_PREFIX[type]}-${String(seq).padStart(ID_MIN_DIGITS, '0')}`;
}

/** Parses a canonical ID (`TASK-0001`); anything else is null. */
export function parseCanonicalId(value: string): ParsedId | null {
  const match = CANONICAL_ID.exec(value);
  if (!match) return null;
  const type = TYPE_BY_PREFIX.get(match[1] as string);
  const seq = Number(match[2]);
  if (!type || !Number.isSafeInteger(seq) || seq < 1) return null;
  if (formatId(type, seq) !== value) return null; // over-padded forms like TASK-00001 are not canonical
  return { id: value, type, seq };
}

/**
 * Accepts the ways agents actually write IDs (`task-12`, `TASK-0012`, `Task 12`)
 * and returns the canonical form, so lookups do not fail on padding or case.
 */
export function normalizeId(value: string): ParsedId | null {
  const match = LOOSE_ID.exec(value);
  if (!match) return null;
  const type = TYPE_BY_PREFIX.get((match[1] as string).toUpperCase());
  const seq = Number(match[2]);
  if (!type || !Number.isSafeInteger(seq) || seq < 1) return null;
  return { id: formatId(type, seq), type, seq };
}

export function typeOfId(id: string): EntityType | null {
  return normalizeId(id)?.type ?? null;
}
