import { randomBytes } from 'node:crypto';
import type { Stats } from 'node:fs';
import { appendFileSync, readFileSync, rmSync } from 'node:fs';
import { deserialize, serialize } from 'node:v8';
import type { Item } from '@backlog-mcp/shared';
import { CODEC_VERSION } from '../../format/item-markdown.js';
import { writeFileAtomic } from './atomic-write.js';

/**
 * A derived copy of every item file's decoded item, kept in `.state/` so a start-up over an
 * unchanged folder needs one lstat per file instead of reading and YAML-parsing each one.
 * The files stay the truth: an entry is used only while the file's lstat still matches the
 * stamp recorded when its content was seen, and the whole cache can be deleted at any time.
 */
export const LOAD_CACHE_FILE = 'items-cache.v8';
/**
 * Entries changed since the cache file was written, appended in batches: a persist writes what
 * changed instead of the whole cache (8.6 MB at 10,000 items, ~86 MB at 100,000). Folded into a
 * new cache file once it holds a quarter as many entries as the cache file (compaction).
 */
export const LOAD_CACHE_LOG = 'items-cache.log';
const LOG_FORMAT = 'backlog-mcp/items-cache-log';

/** Bump when the layout below changes; CODEC_VERSION covers changes to what an entry's item holds. */
const FORMAT = 'backlog-mcp/items-cache';
const FORMAT_VERSION = 1;

/** What lstat says about a file; a change to its content changes at least `ctimeMs`. */
export interface FileStamp {
  size: number;
  mtimeMs: number;
  ctimeMs: number;
  ino: number;
}

/** One item file as last read or written: its stamp, when that stamp was taken, its hash and decoded item. */
export interface CachedFile extends FileStamp {
  /** `Date.now()` taken before the lstat and read that saw this stamp and content. */
  seenAt: number;
  /** The same sha1 the store keeps to tell its own writes from outside edits. */
  hash: string;
  /** Exactly what `decodeItem` returned for the file's text (no in-memory version bump). */
  item: Item;
}

export type LoadCache =
  /** `base`: the cache file's identity, which its log names; `logged`: entries read from the log. */
  | { kind: 'ok'; entries: Map<string, CachedFile>; base?: string; logged: number }
  | { kind: 'missing' }
  /** Written by another format or codec version: ignored without a word. */
  | { kind: 'outdated' }
  | { kind: 'corrupt'; reason: string };

export function stampOf(info: Stats): FileStamp {
  return { size: info.size, mtimeMs: info.mtimeMs, ctimeMs: info.ctimeMs, ino: info.ino };
}

/**
 * An entry, built with its fields in one order (as readLoadCache builds its own): entries built by spreading
 * (`{ ...entry, seenAt }`) each got a hidden class of their own in V8, 10,000 maps and descriptor
 * arrays (~4 MB) after 10,000 creates that a restarted server did not have (heap snapshots).
 */
export function cachedFile(stamp: FileStamp, seenAt: number, hash: string, item: Item): CachedFile {
  return { size: stamp.size, mtimeMs: stamp.mtimeMs, ctimeMs: stamp.ctimeMs, ino: stamp.ino, seenAt, hash, item };
}

export function sameStamp(a: FileStamp, b: FileStamp): boolean {
  return a.size === b.size && a.mtimeMs === b.mtimeMs && a.ctimeMs === b.ctimeMs && a.ino === b.ino;
}

/**
 * How long after a change a file's timestamps are surely in a later clock tick. A file system
 * with whole-second times (ext3, HFS+, FAT) shows it as a whole-second ctime; others tick in
 * at most ~16 ms (coarse kernel clocks), so 100 ms leaves room for clock lag.
 */
function settleMs(ctimeMs: number): number {
  return ctimeMs % 1000 === 0 ? 2_000 : 100;
}

/**
 * An entry can be trusted on its stamp alone only when it was seen well after its last change:
 * a later edit then lands in a later tick and changes ctime. Seen within the same tick (right
 * after our own write, or an editor's), a second edit could leave the stamp unchanged.
 */
export function isSettled(entry: CachedFile): boolean {
  return entry.seenAt - entry.ctimeMs >= settleMs(entry.ctimeMs);
}

/** Milliseconds until re-reading the file can prove the entry for good (0: now). */
export function settlesIn(entry: FileStamp, now: number): number {
  return Math.max(0, entry.ctimeMs + settleMs(entry.ctimeMs) - now);
}

/** True once enough time has passed that re-reading the file proves (or disproves) the entry for good. */
export function canSettle(entry: CachedFile, now: number): boolean {
  return settlesIn(entry, now) === 0;
}

/** Synchronous: it is read once, at start-up, before anything is served. The log, if it extends this file, is applied. */
export function readLoadCache(path: string, logPath?: string): LoadCache {
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { kind: 'missing' };
    return { kind: 'corrupt', reason: String(error) };
  }
  let cache: LoadCache;
  try {
    cache = parseLoadCache(deserialize(bytes));
  } catch (error) {
    return { kind: 'corrupt', reason: String(error) };
  }
  if (cache.kind === 'ok' && logPath && cache.base) cache.logged = applyLog(logPath, cache.base, cache.entries);
  return cache;
}

/**
 * Applies the log's batches in order, if the log extends the cache file `base` (one left by a
 * compaction cut short names another). A batch cut short by a crash, and anything after it, is
 * ignored: entries are checked against their files' stamps anyway, so a stale one costs a read.
 */
function applyLog(logPath: string, base: string, entries: Map<string, CachedFile>): number {
  let bytes: Buffer;
  try {
    bytes = readFileSync(logPath);
  } catch {
    return 0;
  }
  let logged = 0;
  let at = 0;
  let first = true;
  while (at + 4 <= bytes.length) {
    const length = bytes.readUInt32LE(at);
    if (at + 4 + length > bytes.length) break;
    let frame: unknown;
    try {
      frame = deserialize(bytes.subarray(at + 4, at + 4 + length));
    } catch {
      break;
    }
    at += 4 + length;
    if (first) {
      first = false;
      if (!isRecord(frame) || frame.format !== LOG_FORMAT || frame.base !== base) return 0;
      continue;
    }
    const batch = parseLoadCache(frame);
    if (batch.kind !== 'ok') break;
    for (const [name, entry] of batch.entries) entries.set(name, entry);
    logged += batch.entries.size;
  }
  return logged;
}

/** Fields of a stamp, in the order they sit in the file's `stamps` column. */
const STAMP_FIELDS = 5;

/**
 * Entries whose content the store has seen and which have settled (see isSettled), written whole
 * and atomically. Stored as columns: a start-up deserialises one number array and the items,
 * not ten thousand small objects more for the garbage collector to move.
 */
export async function writeLoadCache(
  path: string,
  entries: ReadonlyArray<readonly [string, CachedFile]>,
  logPath?: string,
): Promise<string> {
  const base = randomBytes(8).toString('hex');
  await writeFileAtomic(path, serialize({ ...columnsOf(entries), base }));
  // The old log extends the old file: gone, or (if this crashes first) ignored for its base.
  if (logPath) rmSync(logPath, { force: true });
  return base;
}

/**
 * Appends a batch of entries to the log of cache file `base` (starting the log if there is none).
 * Not synced: derived data, and a torn batch is ignored on reading.
 */
export function appendLoadCacheLog(
  logPath: string,
  base: string,
  entries: ReadonlyArray<readonly [string, CachedFile]>,
  fresh: boolean,
): void {
  const frames = fresh ? [frame({ format: LOG_FORMAT, base })] : [];
  frames.push(frame(columnsOf(entries)));
  if (fresh) rmSync(logPath, { force: true });
  appendFileSync(logPath, Buffer.concat(frames));
}

function frame(value: unknown): Buffer {
  const body = serialize(value);
  const length = Buffer.alloc(4);
  length.writeUInt32LE(body.length);
  return Buffer.concat([length, body]);
}

function columnsOf(entries: ReadonlyArray<readonly [string, CachedFile]>) {
  const stamps = new Float64Array(entries.length * STAMP_FIELDS);
  entries.forEach(([, entry], i) => {
    stamps.set([entry.size, entry.mtimeMs, entry.ctimeMs, entry.ino, entry.seenAt], i * STAMP_FIELDS);
  });
  return {
    format: FORMAT,
    version: FORMAT_VERSION,
    codec: CODEC_VERSION,
    names: entries.map(([name]) => name),
    hashes: entries.map(([, entry]) => entry.hash),
    items: entries.map(([, entry]) => entry.item),
    stamps,
  };
}

function parseLoadCache(value: unknown): LoadCache {
  if (!isRecord(value) || value.format !== FORMAT) return { kind: 'corrupt', reason: 'not a load cache' };
  if (value.version !== FORMAT_VERSION || value.codec !== CODEC_VERSION) return { kind: 'outdated' };
  const { names, hashes, items, stamps } = value;
  if (!Array.isArray(names) || !Array.isArray(hashes) || !Array.isArray(items) || !(stamps instanceof Float64Array)) {
    return { kind: 'corrupt', reason: 'a missing column' };
  }
  const count = names.length;
  if (hashes.length !== count || items.length !== count || stamps.length !== count * STAMP_FIELDS) {
    return { kind: 'corrupt', reason: 'columns of different lengths' };
  }
  const entries = new Map<string, CachedFile>();
  for (let i = 0; i < count; i++) {
    const name: unknown = names[i];
    const hash: unknown = hashes[i];
    const item: unknown = items[i];
    // Our own file, so one bad entry means the whole file is damaged: trust none of it.
    if (typeof name !== 'string' || typeof hash !== 'string' || !isItemOf(item, name)) {
      return { kind: 'corrupt', reason: 'a damaged entry' };
    }
    const at = i * STAMP_FIELDS;
    entries.set(name, {
      size: stamps[at] as number,
      mtimeMs: stamps[at + 1] as number,
      ctimeMs: stamps[at + 2] as number,
      ino: stamps[at + 3] as number,
      seenAt: stamps[at + 4] as number,
      hash,
      item,
    });
  }
  return { kind: 'ok', entries, ...(typeof value.base === 'string' ? { base: value.base } : {}), logged: 0 };
}

/** An item object whose ID is the one its file name `<ID>.md` claims. */
function isItemOf(value: unknown, name: string): value is Item {
  if (!isRecord(value) || typeof value.id !== 'string') return false;
  return name.length === value.id.length + 3 && name.startsWith(value.id) && name.endsWith('.md');
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
