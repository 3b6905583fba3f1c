import { createHash } from 'node:crypto';
import type { Stats } from 'node:fs';
import { type EntityType, type Item, type ParsedId, parseCanonicalId } from '@backlog-mcp/shared';
import type { ExternalChange, Snapshot } from '../../core/ports.js';
import { decodeItem } from '../../format/item-markdown.js';
import { type CachedFile, cachedFile, isSettled, sameStamp, settlesIn, stampOf } from './load-cache.js';
import { NewestFirst } from './newest-first.js';

const ITEM_FILE = /^([A-Z]{4}-\d{4,})\.md$/;
export const NOT_AN_ID = 'the file name is not an item ID such as TASK-0001.md';

/**
 * What memory holds of `tasks/`: a parsed snapshot of the items and, per file, the text hash
 * and stamp last seen, plus the files that could not be loaded. The loader fills it at start-up,
 * the watcher and the store's own writes keep it current.
 */
export class DiskMirror {
  private readonly items = new Map<string, Item>();
  /** Hash of the text last read or written per file, to tell our own writes from outside edits. */
  private readonly hashes = new Map<string, string>();
  private readonly problems = new Map<string, string>();
  /** Problem files that held a readable item until an outside write: often an editor mid-save. */
  private readonly brokenSinceLoaded = new Set<string>();
  private readonly maxSeqs = new Map<EntityType, number>();
  /** Each item file's stamp and decoded item as last seen, for the load cache (see load-cache.ts). */
  readonly onDisk = new Map<string, CachedFile>();
  /** Set when `onDisk` changed since the load cache was last written. */
  cacheDirty = false;
  private readonly newestFirst = new NewestFirst(this.items);

  constructor(private readonly log: (line: string) => void) {}

  get size(): number {
    return this.items.size;
  }

  item(id: string): Item | undefined {
    return this.items.get(id);
  }

  has(id: string): boolean {
    return this.items.has(id);
  }

  ids(): IterableIterator<string> {
    return this.items.keys();
  }

  hashOf(name: string): string | undefined {
    return this.hashes.get(name);
  }

  /** The highest sequence number in memory for a type; 0 when there is none. */
  maxSeq(type: EntityType): number {
    return this.maxSeqs.get(type) ?? 0;
  }

  /** Files that could not be loaded, by file name, with the reason. */
  listProblems(): ReadonlyMap<string, string> {
    return this.problems;
  }

  /** Drops a file from the problems; true when it was there. */
  clearProblem(name: string): boolean {
    this.brokenSinceLoaded.delete(name);
    return this.problems.delete(name);
  }

  /** True when the file's item was readable before an outside write broke it. */
  wasReadable(name: string): boolean {
    return this.brokenSinceLoaded.has(name);
  }

  /** IDs whose files exist but cannot be loaded (merge conflicts, broken YAML...). */
  unreadableIds(): string[] {
    return [...this.problems.keys()].flatMap((name) => ITEM_FILE.exec(name)?.[1] ?? []);
  }

  snapshot(): Snapshot {
    return this.newestFirst.view();
  }

  /** Start-up: a file whose load cache entry still matches its stamp. */
  takeCached(name: string, parsed: ParsedId, entry: CachedFile): void {
    this.items.set(parsed.id, entry.item);
    this.newestFirst.resort();
    this.hashes.set(name, entry.hash);
    this.onDisk.set(name, entry);
    this.raiseMaxSeq(parsed);
  }

  /** `disk`: what the file holds now, for the load cache; undefined when that is not known for sure. */
  remember(item: Item, digest: string, disk: CachedFile | undefined): void {
    const name = `${item.id}.md`;
    const previous = this.items.get(item.id);
    this.items.set(item.id, item);
    this.newestFirst.written(item, previous);
    this.hashes.set(name, digest);
    if (disk) this.onDisk.set(name, disk);
    else this.onDisk.delete(name);
    this.cacheDirty = true;
    this.clearProblem(name);
    const parsed = parseCanonicalId(item.id);
    if (parsed) this.raiseMaxSeq(parsed);
  }

  /** Our own write reached its file: its stamp is now known for the load cache, unless a newer write came since. */
  settle(id: string, digest: string, disk: CachedFile): void {
    const name = `${id}.md`;
    if (this.hashes.get(name) !== digest) return;
    this.onDisk.set(name, disk);
    this.cacheDirty = true;
  }

  private raiseMaxSeq(parsed: ParsedId): void {
    if (parsed.seq > (this.maxSeqs.get(parsed.type) ?? 0)) this.maxSeqs.set(parsed.type, parsed.seq);
  }

  forget(id: string): void {
    const item = this.items.get(id);
    this.items.delete(id);
    this.hashes.delete(`${id}.md`);
    this.onDisk.delete(`${id}.md`);
    this.cacheDirty = true;
    if (item) this.newestFirst.removed(item);
  }

  /**
   * When `info` is the stamp of the text we last wrote or read for `name`, taken too soon after the
   * change for a read to prove anything: the milliseconds until one can. Otherwise 0.
   */
  unsettledFor(name: string, info: Stats, now: number): number {
    const entry = this.onDisk.get(name);
    if (entry === undefined || entry.hash !== this.hashes.get(name) || isSettled(entry)) return 0;
    return sameStamp(stampOf(info), entry) ? settlesIn(entry, now) : 0;
  }

  /**
   * Takes in a file's text, read after `info` was taken at `seenAt` (that order matters: an edit
   * in between leaves a newer text under an older stamp, which only costs a re-read next start).
   */
  accept(name: string, id: string, info: Stats, seenAt: number, text: string): ExternalChange | undefined {
    const digest = hash(text);
    if (this.hashes.get(name) === digest) return void this.restamp(name, digest, info, seenAt);
    const decoded = decodeItem(text, id, info.mtime.toISOString());
    if (!decoded.ok) {
      const known = this.items.has(id);
      this.forget(id);
      this.report(name, decoded.error);
      if (known) this.brokenSinceLoaded.add(name);
      return known ? { kind: 'remove', id } : undefined;
    }
    // A hand edit rarely bumps `version`; bump it in memory so if_version still sees the change.
    // The load cache keeps the item as decoded: a restart gives what the file says, as without it.
    const known = this.items.get(id);
    const item =
      known && decoded.item.version <= known.version ? { ...decoded.item, version: known.version + 1 } : decoded.item;
    this.remember(item, digest, cachedFile(stampOf(info), seenAt, digest, decoded.item));
    return { kind: 'upsert', item, created: !known };
  }

  /** The text is the one last seen (our own write, seen by the watcher; a `touch`): only the stamp may be new. */
  private restamp(name: string, digest: string, info: Stats, seenAt: number): void {
    const entry = this.onDisk.get(name);
    if (!entry) return;
    const stamp = stampOf(info);
    if (sameStamp(stamp, entry) && seenAt <= entry.seenAt) return;
    // A new mtime can change the dates decodeItem fills in for a file without them: re-read it next start.
    if (entry.hash !== digest || stamp.mtimeMs !== entry.mtimeMs) this.onDisk.delete(name);
    else this.onDisk.set(name, cachedFile(stamp, seenAt, entry.hash, entry.item));
    this.cacheDirty = true;
  }

  report(name: string, reason: string): undefined {
    if (this.problems.get(name) !== reason) this.log(`backlog: skipping tasks/${name}: ${reason}`);
    this.problems.set(name, reason);
    return undefined;
  }
}

/** The item a file name stands for, or undefined for anything that is not an item file. */
export function itemOf(name: string): ParsedId | undefined {
  const id = ITEM_FILE.exec(name)?.[1];
  return (id && parseCanonicalId(id)) || undefined;
}

export function hash(text: string): string {
  return createHash('sha1').update(text).digest('base64');
}
