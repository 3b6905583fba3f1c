import {
  ENTITY_TYPES,
  type EntityType,
  formatId,
  type Item,
  PRIORITIES,
  type Priority,
  parseCanonicalId,
  STATUSES,
  type Status,
} from '@backlog-mcp/shared';
import { isMap, isScalar, parseDocument } from 'yaml';
import { SourceError } from '../../core/import/imported-item.js';
import { decodeItem } from '../../format/item-markdown.js';

/**
 * Reads one upstream (or our own) backlog-mcp item file with our codec. The upstream project
 * allowed a few things our codec refuses (types we do not have, such as `cron` and `memory`,
 * with their own ID prefixes; hand-typed statuses); those values are rewritten in place to our
 * nearest ones before decoding, and the originals kept as `*_original` front-matter keys, which
 * the codec then carries in `extra`. Everything else in the file is decoded byte for byte.
 */

/** ID prefixes the upstream used, including those of types we do not have. */
const UPSTREAM_PREFIX: Readonly<Record<string, string>> = {
  TASK: 'task',
  EPIC: 'epic',
  FLDR: 'folder',
  ARTF: 'artifact',
  MLST: 'milestone',
  CRON: 'cron',
  MEMO: 'memory',
};

/** Upstream types without a counterpart here: a cron is scheduled work, a memory is a note. */
const NEAREST_TYPE: Readonly<Record<string, EntityType>> = { cron: 'task', memory: 'artifact' };

const NEAREST_STATUS: Readonly<Record<string, Status>> = {
  todo: 'open',
  pending: 'open',
  new: 'open',
  backlog: 'open',
  'in-progress': 'in_progress',
  'in progress': 'in_progress',
  doing: 'in_progress',
  active: 'in_progress',
  review: 'in_progress',
  waiting: 'blocked',
  on_hold: 'blocked',
  closed: 'done',
  complete: 'done',
  completed: 'done',
  resolved: 'done',
  canceled: 'cancelled',
  wontfix: 'cancelled',
  abandoned: 'cancelled',
};

const NEAREST_PRIORITY: Readonly<Record<string, Priority>> = {
  critical: 'high',
  urgent: 'high',
  p0: 'high',
  p1: 'high',
  normal: 'medium',
  p2: 'medium',
  minor: 'low',
  p3: 'low',
};

export interface DecodedFile {
  item: Item;
  /** The ID the other files use for this one (the file's own ID, even when it cannot be ours). */
  sourceId: string;
  /** Set when the source ID is a valid ID of ours for the item's (mapped) type. */
  preferredId?: string;
  warnings: string[];
}

interface Edit {
  key: string;
  value: string;
}

interface FrontMatter {
  yaml: string;
  /** Offset of the YAML text in the file. */
  start: number;
}

const OPENING = /^---[ \t]*\r?\n/;

function frontMatter(text: string): FrontMatter | undefined {
  const opening = OPENING.exec(text);
  if (!opening) return undefined;
  const start = opening[0].length;
  // Lines split on \n only, as the codec does: a U+2028 inside a value is not a line break.
  let offset = start;
  while (offset <= text.length) {
    const end = text.indexOf('\n', offset);
    const line = end < 0 ? text.slice(offset) : text.slice(offset, end);
    if (/^---[ \t]*\r?$/.test(line)) return { yaml: text.slice(start, offset), start };
    if (end < 0) return undefined;
    offset = end + 1;
  }
  return undefined;
}

/** 1-based line of the first top-level `key:` in the front matter. */
function lineOfKey(text: string, key: string): number | undefined {
  const lines = text.split('\n');
  for (let index = 1; index < lines.length; index++) {
    const line = lines[index] as string;
    if (/^---[ \t]*\r?$/.test(line)) return undefined;
    if (line.startsWith(`${key}:`)) return index + 1;
  }
  return undefined;
}

/**
 * Decodes `text` (the file `file`, named after `fileId`). Throws SourceError with the file and,
 * when it can be found, the line.
 */
export function decodeBacklogFile(file: string, text: string, fileId: string, mtime: string): DecodedFile {
  const front = frontMatter(text);
  if (!front) {
    const result = decodeItem(text, fileId, mtime);
    throw new SourceError(file, result.ok ? 'no front matter' : result.error, 1);
  }
  const doc = parseDocument(front.yaml, { prettyErrors: false, uniqueKeys: false });
  const yamlError = doc.errors[0];
  if (yamlError) {
    // +1: the YAML starts on the line after the opening ---.
    const line = front.yaml.slice(0, yamlError.pos[0]).split('\n').length + 1;
    throw new SourceError(file, `invalid YAML: ${yamlError.message.split('\n')[0]}`, line);
  }
  const fields = new Map<string, unknown>();
  if (isMap(doc.contents)) {
    for (const pair of doc.contents.items) {
      if (isScalar(pair.key) && isScalar(pair.value)) fields.set(String(pair.key.value), pair.value.value);
    }
  }
  const declared = typeof fields.get('id') === 'string' ? (fields.get('id') as string) : undefined;
  if (declared !== undefined && declared !== fileId) {
    throw new SourceError(file, `id ${declared} does not match the file name ${fileId}`, lineOfKey(text, 'id'));
  }
  const plan = planEdits(fileId, fields);
  const decodable = plan.edits.length ? applyEdits(text, front, plan.edits) : text;
  const result = decodeItem(decodable, plan.decodeId, mtime);
  if (!result.ok) {
    const key = /^(\w+)/.exec(result.error)?.[1];
    throw new SourceError(file, result.error, key ? lineOfKey(text, key) : undefined);
  }
  const decoded: DecodedFile = { item: result.item, sourceId: fileId, warnings: plan.warnings };
  if (plan.decodeId === fileId) decoded.preferredId = fileId;
  return decoded;
}

interface EditPlan {
  edits: Edit[];
  decodeId: string;
  warnings: string[];
}

function planEdits(fileId: string, fields: ReadonlyMap<string, unknown>): EditPlan {
  const edits: Edit[] = [];
  const warnings: string[] = [];
  const prefixType = UPSTREAM_PREFIX[fileId.split('-')[0] as string];
  const rawType = typeof fields.get('type') === 'string' ? (fields.get('type') as string) : undefined;
  const upstreamType = rawType ?? prefixType ?? 'task';
  let type = upstreamType as EntityType;
  if (!ENTITY_TYPES.includes(type)) {
    type = NEAREST_TYPE[upstreamType] ?? 'task';
    warnings.push(`${fileId}: type ${upstreamType} is imported as ${type} (kept as type_original)`);
    edits.push({ key: 'type', value: type }, { key: 'type_original', value: upstreamType });
  }
  let decodeId = fileId;
  const idType = parseCanonicalId(fileId)?.type;
  if (idType !== type) {
    if (idType && type === upstreamType) {
      warnings.push(`${fileId}: its type ${type} does not fit its ID; it gets a new ${type} ID`);
    }
    // The codec insists that an ID fits its type; a stand-in ID lets it decode the rest, and the
    // item keeps its real ID as its source ID (a new ID of ours is allocated for it).
    decodeId = formatId(type, 1);
    edits.push({ key: 'id', value: decodeId }, { key: 'type', value: type });
  }
  const status = fields.get('status');
  if (status !== undefined && status !== null && !STATUSES.includes(String(status) as Status)) {
    const raw = String(status);
    const nearest = NEAREST_STATUS[raw.toLowerCase()] ?? 'open';
    warnings.push(`${fileId}: status ${raw} is imported as ${nearest} (kept as status_original)`);
    edits.push({ key: 'status', value: nearest }, { key: 'status_original', value: raw });
  }
  const priority = fields.get('priority');
  if (priority !== undefined && priority !== null && !PRIORITIES.includes(String(priority) as Priority)) {
    const raw = String(priority);
    const nearest = NEAREST_PRIORITY[raw.toLowerCase()] ?? 'medium';
    warnings.push(`${fileId}: priority ${raw} is imported as ${nearest} (kept as priority_original)`);
    edits.push({ key: 'priority', value: nearest }, { key: 'priority_original', value: raw });
  }
  return { edits, decodeId, warnings: [...new Set(warnings)] };
}

/**
 * Rewrites single-line top-level `key: value` lines (or appends the key) instead of
 * re-serialising the YAML, so every other value reaches the codec exactly as written.
 */
function applyEdits(text: string, front: FrontMatter, edits: readonly Edit[]): string {
  const final = new Map<string, string>();
  for (const edit of edits) final.set(edit.key, edit.value);
  const lines = front.yaml.split('\n');
  for (const [key, value] of final) {
    const entry = `${key}: ${JSON.stringify(value)}`;
    const index = lines.findIndex((line) => line.startsWith(`${key}:`));
    if (index >= 0) lines[index] = entry;
    else lines.splice(lines.length - 1, 0, entry);
  }
  return text.slice(0, front.start) + lines.join('\n') + text.slice(front.start + front.yaml.length);
}
