import {
  ENTITY_TYPES,
  type EntityType,
  FRONT_MATTER_KEYS,
  type Item,
  normalizeLabels,
  PRIORITIES,
  type Priority,
  parseCanonicalId,
  type Reference,
  STATUSES,
  type Status,
} from '@backlog-mcp/shared';
import { isMap, isScalar, isSeq, parseDocument, stringify, visit } from 'yaml';
import { plainYaml } from './plain-yaml.js';
import { readPlainYaml } from './plain-yaml-read.js';

/**
 * Bump whenever `decodeItem` can return something different for the same file text (a new
 * field, a changed default, a new Item shape): derived caches of decoded items (the load
 * cache) are keyed on it and are then ignored and rebuilt from the files.
 */
export const CODEC_VERSION = 3;

/** Front matter keys in the order they are written, so diffs stay small and files read naturally. */
const KEY_ORDER = FRONT_MATTER_KEYS;
const KNOWN = new Set<string>(KEY_ORDER);

const OPENING = /^---[ \t]*\r?\n/;
const FENCE = /^---[ \t]*\r?$/;
/** All three git markers, in order, at line starts: a lone "=======" heading underline is not a conflict. */
const CONFLICT = /(^|\n)<{7}( [^\n]*)?\r?\n[\s\S]*?\n={7}\r?\n[\s\S]*?\n>{7}( [^\n]*)?(\r?\n|$)/;

/**
 * Finds the closing --- line by splitting on \n only: a regex with the m flag would also
 * treat U+2028/U+2029 inside a value as line breaks and end the front matter early.
 */
function closingFence(text: string): { index: number; length: number } | undefined {
  let start = 0;
  while (start <= text.length) {
    const end = text.indexOf('\n', start);
    const line = end < 0 ? text.slice(start) : text.slice(start, end);
    if (FENCE.test(line)) return { index: start, length: line.length };
    if (end < 0) return undefined;
    start = end + 1;
  }
  return undefined;
}

/**
 * Caps checked on the raw front matter before it is parsed: `yaml` spends time per node (and,
 * with its own unique-key check, time per pair of keys), so a hand-made or pulled file with tens
 * of thousands of keys stalled every request for seconds to minutes. Real items hold a few
 * dozen keys; their bulk (evidence, references) is values inside a few keys, so both caps sit
 * far above any real item (200 evidence entries of 1,000 characters are ~200 KB).
 */
export const FRONT_MATTER_LIMITS = {
  /** Characters of front matter (between the --- lines). */
  chars: 1024 * 1024,
  /** Lines that start a top-level key. */
  keys: 200,
} as const;

/** A line starting a top-level key: not indented, not a comment, not a sequence entry. */
const TOP_LEVEL_KEY = /^[^\s#-][^:\n]*:/gm;

function countTopLevelKeys(yamlText: string, stopAfter: number): number {
  TOP_LEVEL_KEY.lastIndex = 0;
  let count = 0;
  while (count <= stopAfter && TOP_LEVEL_KEY.exec(yamlText)) count++;
  return count;
}

/**
 * The first key repeated within one mapping, at any depth. Done here in one pass with a Set
 * because `yaml`'s `uniqueKeys` compares each key with every earlier one: quadratic, so a
 * nested mapping of many keys would stall the parse even under the top-level cap.
 */
function repeatedKey(doc: ReturnType<typeof parseDocument>): string | undefined {
  let found: string | undefined;
  visit(doc, {
    Map(_, map) {
      const seen = new Set<unknown>();
      for (const pair of map.items) {
        // Non-scalar keys are distinct nodes, as in yaml's own check.
        if (!isScalar(pair.key)) continue;
        if (seen.has(pair.key.value)) {
          found = String(pair.key.value);
          return visit.BREAK;
        }
        seen.add(pair.key.value);
      }
      return undefined;
    },
  });
  return found;
}

export type DecodeResult = { ok: true; item: Item } | { ok: false; error: string };

/**
 * Reads one item file. `fileId` is the ID its file name claims; `fallbackTime`
 * (the file's mtime) fills in timestamps a person left out when writing by hand.
 */
export function decodeItem(text: string, fileId: string, fallbackTime: string): DecodeResult {
  if (CONFLICT.test(text)) return { ok: false, error: 'contains merge-conflict markers; resolve the conflict' };
  const opening = OPENING.exec(text);
  if (!opening) return { ok: false, error: 'does not start with a --- front matter block' };
  const rest = text.slice(opening[0].length);
  const closing = closingFence(rest);
  if (!closing) return { ok: false, error: 'front matter is not closed by a --- line' };
  const yamlText = rest.slice(0, closing.index);
  let body = rest.slice(closing.index + closing.length);
  body = body.startsWith('\r\n') ? body.slice(2) : body.startsWith('\n') ? body.slice(1) : body;

  if (yamlText.length > FRONT_MATTER_LIMITS.chars) {
    return {
      ok: false,
      error: `front matter is over ${FRONT_MATTER_LIMITS.chars} characters (${yamlText.length}); refused before parsing`,
    };
  }
  if (countTopLevelKeys(yamlText, FRONT_MATTER_LIMITS.keys) > FRONT_MATTER_LIMITS.keys) {
    return {
      ok: false,
      error: `front matter has more than ${FRONT_MATTER_LIMITS.keys} keys; refused before parsing`,
    };
  }

  const fields = readPlainYaml(yamlText) ?? readByLibrary(yamlText);
  if (typeof fields === 'string') return { ok: false, error: fields };
  return buildItem(fields, body, fileId, fallbackTime);
}

/** The front matter's fields as the `yaml` library reads them, or what is wrong with it. */
export function readByLibrary(yamlText: string): Map<string, unknown> | string {
  const doc = parseDocument(yamlText, { prettyErrors: false, uniqueKeys: false });
  if (doc.errors.length > 0) return `invalid YAML: ${doc.errors[0]?.message.split('\n')[0]}`;
  const repeated = repeatedKey(doc);
  if (repeated !== undefined) return `invalid YAML: Map keys must be unique ("${repeated}" repeats)`;
  if (!isMap(doc.contents)) return 'front matter is not a mapping of fields';
  const fields = new Map<string, unknown>();
  for (const pair of doc.contents.items) {
    const key = isScalar(pair.key) ? String(pair.key.value) : String(pair.key);
    fields.set(key, pair.value);
  }
  return fields;
}

function buildItem(fields: Map<string, unknown>, body: string, fileId: string, fallbackTime: string): DecodeResult {
  const id = text(fields.get('id')) ?? fileId;
  if (id !== fileId) return { ok: false, error: `id ${id} does not match the file name ${fileId}.md` };
  const parsed = parseCanonicalId(id);
  if (!parsed) return { ok: false, error: `${id} is not a valid ID` };
  const title = text(fields.get('title'));
  if (!title?.trim()) return { ok: false, error: 'title is missing' };
  const type = (text(fields.get('type')) ?? parsed.type) as EntityType;
  if (!ENTITY_TYPES.includes(type) || type !== parsed.type) {
    return { ok: false, error: `type ${type} does not fit the ID prefix of ${id}` };
  }
  const status = (text(fields.get('status')) ?? 'open') as Status;
  if (!STATUSES.includes(status)) return { ok: false, error: `status ${status} is not one of ${STATUSES.join(', ')}` };

  const item: Item = {
    id,
    type,
    title,
    status,
    description: body,
    version: positiveInt(fields.get('version')) ?? 1,
    created_at: text(fields.get('created_at')) ?? fallbackTime,
    updated_at: text(fields.get('updated_at')) ?? text(fields.get('created_at')) ?? fallbackTime,
  };
  const priority = text(fields.get('priority'));
  if (priority) {
    if (!PRIORITIES.includes(priority as Priority))
      return { ok: false, error: `priority ${priority} is not one of ${PRIORITIES.join(', ')}` };
    item.priority = priority as Priority;
  }
  const labels = normalizeLabels(textList(fields.get('labels')));
  if (labels.length) item.labels = labels;
  const blockedBy = textList(fields.get('blocked_by'));
  if (blockedBy.length) item.blocked_by = blockedBy;
  const assignee = text(fields.get('assignee'));
  if (assignee) item.assignee = assignee;
  const leaseUntil = text(fields.get('lease_until'));
  if (leaseUntil) item.lease_until = leaseUntil;
  const epicId = text(fields.get('epic_id'));
  if (epicId) item.epic_id = epicId;
  const parentId = text(fields.get('parent_id'));
  if (parentId) item.parent_id = parentId;
  const dueDate = text(fields.get('due_date'));
  if (dueDate) item.due_date = dueDate;
  const references = referenceList(fields.get('references'));
  if (references.length) item.references = references;
  const evidence = textList(fields.get('evidence'));
  if (evidence.length) item.evidence = evidence;
  const blocked = textList(fields.get('blocked_reason'));
  if (blocked.length) item.blocked_reason = blocked;

  const extra: Record<string, unknown> = {};
  for (const [key, node] of fields) {
    if (!KNOWN.has(key)) extra[key] = toPlain(node);
  }
  if (Object.keys(extra).length > 0) item.extra = extra;
  return { ok: true, item };
}

/** A scalar as the text a person typed: `title: 0123` stays "0123", never 83 or 123. */
function text(node: unknown): string | undefined {
  if (!isScalar(node) || node.value === null || node.value === undefined) return undefined;
  if (typeof node.value === 'string') return node.value;
  const source = (node as { source?: unknown }).source;
  return typeof source === 'string' ? source : String(node.value);
}

function positiveInt(node: unknown): number | undefined {
  const value = isScalar(node) ? Number(node.value) : Number.NaN;
  return Number.isSafeInteger(value) && value >= 1 ? value : undefined;
}

function textList(node: unknown): string[] {
  if (isSeq(node)) return node.items.map(text).filter((v): v is string => v !== undefined);
  const single = text(node);
  return single ? [single] : [];
}

function referenceList(node: unknown): Reference[] {
  if (!isSeq(node)) return [];
  return node.items.flatMap((entry): Reference[] => {
    if (isMap(entry)) {
      const url = text(entry.get('url', true));
      const title = text(entry.get('title', true));
      if (!url) return [];
      return [title ? { url, title } : { url }];
    }
    const url = text(entry);
    return url ? [{ url }] : [];
  });
}

function toPlain(node: unknown): unknown {
  if (node && typeof node === 'object' && 'toJSON' in node && typeof node.toJSON === 'function') {
    return node.toJSON();
  }
  return isScalar(node) ? node.value : node;
}

/**
 * What decodeItem would refuse in a file encodeItem wrote, found without parsing the YAML again:
 * conflict markers, an unclosed or oversized front matter, too many keys. For bulk writes (an
 * import of thousands of items), where parsing each file back cost a third of the time; the
 * encoder's YAML always reads back as the strings it was given.
 */
export function encodedFileProblem(text: string): string | undefined {
  if (CONFLICT.test(text)) return 'contains merge-conflict markers; resolve the conflict';
  const rest = text.slice(4); // encodeItem always starts with "---\n"
  const closing = closingFence(rest);
  if (!closing) return 'front matter is not closed by a --- line';
  const yamlText = rest.slice(0, closing.index);
  if (yamlText.length > FRONT_MATTER_LIMITS.chars)
    return `front matter is over ${FRONT_MATTER_LIMITS.chars} characters`;
  if (countTopLevelKeys(yamlText, FRONT_MATTER_LIMITS.keys) > FRONT_MATTER_LIMITS.keys) {
    return `front matter has more than ${FRONT_MATTER_LIMITS.keys} keys`;
  }
  return undefined;
}

/** Writes one item file: ordered front matter, then the body byte for byte. */
export function encodeItem(item: Item): string {
  return encodeItemTraced(item).text;
}

/**
 * encodeItem, also saying whether the front matter came from `plainYaml`: such a file is known to
 * read back as `item` (only its body can still be refused: see encodedFileProblem), so a writer
 * can skip parsing it back.
 */
export function encodeItemTraced(item: Item): { text: string; plain: boolean } {
  const front: Record<string, unknown> = {};
  for (const key of KEY_ORDER) {
    const value = key === 'references' ? item.references?.map(cleanReference) : item[key];
    if (value !== undefined && !(Array.isArray(value) && value.length === 0)) front[key] = value;
  }
  for (const [key, value] of Object.entries(item.extra ?? {})) {
    if (!KNOWN.has(key) && key !== 'description') front[key] = value;
  }
  const plain = plainYaml(front);
  const yaml = plain ?? stringify(front, { lineWidth: 0, minContentWidth: 0 });
  return { text: `---\n${yaml}---\n${item.description}`, plain: plain !== undefined };
}

function cleanReference(ref: Reference): Reference {
  return ref.title ? { url: ref.url, title: ref.title } : { url: ref.url };
}
