import { lstatSync } from 'node:fs';
import { readFile, realpath, stat, unlink } from 'node:fs/promises';
import { basename, join, sep } from 'node:path';
import {
  type EntityType,
  formatId,
  type Item,
  normalizeLabels,
  parseCanonicalId,
  TYPE_PREFIX,
} from '@backlog-mcp/shared';
import { BacklogError, invalid } from '../../core/errors.js';
import { LIMITS } from '../../core/limits.js';
import { Mutex } from '../../core/mutex.js';
import type { ExternalChange, Snapshot, Store } from '../../core/ports.js';
import { decodeItem, encodedFileProblem, encodeItem, encodeItemTraced } from '../../format/item-markdown.js';
import {
  createFileExclusive,
  createFileExclusiveUnsynced,
  linkUnsynced,
  syncFiles,
  writeFileAtomic,
} from './atomic-write.js';
import { beginIntent, undoInterruptedBatch } from './batch-intent.js';
import { type DataLayout, dataLayout, itemFile } from './data-layout.js';
import { DiskMirror, hash } from './disk-mirror.js';
import { FileLoader, type LoadStats } from './file-loader.js';
import { changedMeanwhile, FileWatcher } from './file-watcher.js';
import { type CommitStats, GroupCommit, type Write } from './group-commit.js';
import type { HighWaterMarks } from './high-water.js';
import { type CachedFile, cachedFile, stampOf } from './load-cache.js';

export { type DataLayout, dataLayout } from './data-layout.js';
export type { LoadStats } from './file-loader.js';

export interface MarkdownStoreOptions {
  dataDir: string;
  log: (line: string) => void;
  /** Follow edits made by people, editors and git; off for one-shot tools. */
  watch?: boolean;
}

/**
 * Items as Markdown files in one flat `tasks/` folder. Memory holds a parsed
 * snapshot; the files stay the truth and are re-read when something else changes them.
 */
export class MarkdownStore implements Store {
  readonly layout: DataLayout;
  private readonly mirror: DiskMirror;
  /**
   * Every write of an item file and every re-read the watcher makes, one at a time: a re-read
   * can then never see an older file than the last write and put that stale item back in memory.
   */
  private readonly io = new Mutex();
  /** Creates and saves are applied under `io` and made durable here, many per fsync round. */
  private readonly commits: GroupCommit;
  private readonly watcher: FileWatcher;
  private readonly loader: FileLoader;
  private readonly log: (line: string) => void;
  readonly loadStats: LoadStats;
  private highWater!: HighWaterMarks;
  /** A batch's items, encoded once for its intent and again never (createExact and save take them). */
  private readonly batchTexts = new WeakMap<Item, Traced>();

  private constructor(options: MarkdownStoreOptions) {
    this.layout = dataLayout(options.dataDir);
    this.log = options.log;
    this.mirror = new DiskMirror(options.log);
    // A write that failed on its way leaves memory ahead of the disk: read the file back in.
    this.commits = new GroupCommit(this.layout.tasks, (path) => this.watcher.refresh(basename(path)));
    // A file with a replacement still on its way is behind memory: the watcher must not read it back in.
    const writing = (id: string) => this.commits.isUnplaced(this.fileOf(id));
    this.watcher = new FileWatcher(this.layout, this.mirror, this.io, options.log, writing);
    this.loader = new FileLoader(this.layout, this.mirror, this.io, options.log, (name) => this.watcher.refresh(name));
    this.loadStats = this.loader.loadStats;
  }

  static async open(options: MarkdownStoreOptions): Promise<MarkdownStore> {
    const store = new MarkdownStore(options);
    const undid = await undoInterruptedBatch(store.layout, options.log);
    // A server (it watches) checks the cached files' stamps after it is up; a one-shot command
    // before, and so does a start that just undid files the cache may hold.
    store.highWater = await store.loader.load({ deferStampCheck: options.watch === true && !undid });
    // A file removed by hand, by git or by another clone's pull is a deleted ID too: never hand it out again.
    store.watcher.onExternalChange((change) => {
      if (change.kind !== 'remove') return;
      const parsed = parseCanonicalId(change.id);
      if (!parsed) return;
      void store.highWater
        .raise(TYPE_PREFIX[parsed.type], parsed.seq)
        .catch((error: unknown) =>
          options.log(`backlog: could not record the removal of ${change.id}: ${String(error)}`),
        );
    });
    if (options.watch) store.watcher.start();
    return store;
  }

  /**
   * Reads in the files that changed while no server ran, among those start-up took from the load
   * cache unchecked: call once the backlog follows outside changes (they arrive as such).
   */
  async verifyDeferred(): Promise<void> {
    const changed = await this.loader.verifyDeferred((name) => this.watcher.refresh(name));
    if (changed > 0) this.log(`backlog: ${changed} file(s) changed while the server was stopped; read them in`);
  }

  /** Files that could not be loaded, by file name, with the reason. */
  listProblems(): ReadonlyMap<string, string> {
    return this.mirror.listProblems();
  }

  async snapshot(): Promise<Snapshot> {
    return this.mirror.snapshot();
  }

  async get(id: string): Promise<Item | undefined> {
    const item = this.mirror.item(id);
    const problems = this.mirror.listProblems();
    const name = `${id}.md`;
    if (!item && problems.has(name)) {
      const unreadable = `id: the file tasks/${name} exists but cannot be read (${problems.get(name)})`;
      // An editor that truncates then writes leaves such a file for a moment: say so, not only "broken".
      const advice = this.mirror.wasReadable(name)
        ? ': it was changed outside the server (an editor or git). If it is still being written, retry in a moment; otherwise fix the file by hand: it is never overwritten.'
        : '. Fix the file by hand; it is never overwritten.';
      throw new BacklogError('conflict', `${unreadable}${advice}`, 'id');
    }
    return item;
  }

  /** Applied (visible) when this returns; durable once `durability` says so (group commit). */
  async create(type: EntityType, build: (id: string) => Item): Promise<Item> {
    return this.io.run(async () => {
      let seq = Math.max(this.mirror.maxSeq(type), this.highWater.get(TYPE_PREFIX[type])) + 1;
      for (;;) {
        const item = build(formatId(type, seq));
        const { text, decoded } = encodeReadable(item);
        const path = this.fileOf(item.id);
        const fd = await linkUnsynced(path, text);
        if (fd !== false) {
          this.apply({ kind: 'create', path, fd }, item, text, decoded);
          return item;
        }
        seq++; // another process took this ID a moment ago
      }
    });
  }

  get durability(): GroupCommit {
    return this.commits;
  }

  /** How many writes shared each fsync round so far. */
  get commitStats(): Readonly<CommitStats> {
    return this.commits.stats;
  }

  highestSeq(type: EntityType): number {
    return Math.max(this.mirror.maxSeq(type), this.highWater.get(TYPE_PREFIX[type]));
  }

  async createExact(item: Item, options: { deferSync?: boolean } = {}): Promise<boolean> {
    return this.io.run(async () => {
      // A batch checks its files without reading each back (encodedFileProblem), and leaves them
      // out of the load cache: the next start decodes them once, from what is really on disk.
      const traced = this.batchTexts.get(item);
      const { text, decoded } = options.deferSync ? encodeChecked(item, traced) : encodeReadable(item, traced);
      const writeStarted = Date.now();
      const path = this.fileOf(item.id);
      const written = options.deferSync
        ? createFileExclusiveUnsynced(path, text)
        : await createFileExclusive(path, text);
      if (!written) return false;
      const digest = hash(text);
      this.mirror.remember(item, digest, decoded ? this.stampOwnWrite(decoded, digest, writeStarted) : undefined);
      return true;
    });
  }

  async syncItems(ids: readonly string[]): Promise<void> {
    await this.io.run(async () => syncFiles(ids.map((id) => this.fileOf(id))));
  }

  beginBatch(writes: { creates: readonly Item[]; updates: readonly Item[] }): Promise<{ end(): Promise<void> }> {
    const textOf = (item: Item) => {
      const traced = encodeItemTraced(item);
      this.batchTexts.set(item, traced);
      return traced.text;
    };
    return beginIntent(this.layout, {
      creates: writes.creates.map((item) => ({ id: item.id, text: textOf(item) })),
      updates: writes.updates.map((item) => ({ id: item.id, text: textOf(item) })),
    });
  }

  /**
   * Applied when this returns; the new file is renamed into place only after its data is synced,
   * so a crash can never leave an unsynced file where an acknowledged one was.
   */
  async save(item: Item): Promise<void> {
    await this.io.run(async () => {
      const known = this.mirror.item(item.id);
      if (known && known.version >= item.version) throw changedMeanwhile(item.id);
      const { text, decoded } = encodeReadable(item, this.batchTexts.get(item));
      const path = this.fileOf(item.id);
      // With a replacement still on its way the file is ours and not yet current: nothing to check.
      if (!this.commits.isUnplaced(path)) await this.watcher.checkUnchanged(item.id);
      this.apply({ kind: 'replace', path, text }, item, text, decoded);
    });
  }

  /** Memory takes the write now; the file follows with the next commit round. */
  private apply(write: Write, item: Item, text: string, decoded: Item): void {
    const digest = hash(text);
    this.mirror.remember(item, digest, undefined);
    const handedOver = Date.now();
    // The load cache keeps what a start-up would decode. When that is the item itself (nearly
    // always), it keeps the item: the decoded copy's strings are slices of the whole file text and
    // kept every text alive (~5 MB after 10,000 creates; heap snapshots after a storm and after a
    // restart, compared).
    const cached = samePlainData(decoded, item) ? item : decoded;
    this.commits.add(write, () => {
      const stamp = this.stampOwnWrite(cached, digest, handedOver);
      if (stamp) this.mirror.settle(item.id, digest, stamp);
    });
  }

  async remove(id: string): Promise<void> {
    const parsed = parseCanonicalId(id);
    if (!parsed) throw invalid('id', 'a canonical item ID', id);
    await this.io.run(async () => {
      // A delete is rare: it waits for pending writes rather than ordering itself among them.
      await this.commits.idle();
      await this.watcher.checkUnchanged(id);
      // Record the high-water mark first, so a deleted top ID is never handed out again.
      await this.highWater.raise(TYPE_PREFIX[parsed.type], parsed.seq);
      await unlink(this.fileOf(id));
      this.mirror.forget(id);
    });
  }

  /** IDs whose files exist but cannot be loaded (merge conflicts, broken YAML...). */
  unreadableIds(): string[] {
    return this.mirror.unreadableIds();
  }

  async readDocument(path: string): Promise<string | undefined> {
    const file = await this.documentPath(path);
    return file === undefined ? undefined : readFile(file, 'utf8');
  }

  async writeDocument(path: string, content: string): Promise<void> {
    const file = await this.documentPath(path);
    if (file === undefined) throw invalid('uri', 'an existing file under resources/', path);
    await writeFileAtomic(file, content);
  }

  onExternalChange(listener: (change: ExternalChange) => void): () => void {
    return this.watcher.onExternalChange(listener);
  }

  /**
   * Writes the load cache if anything changed since the last write. Called after start-up,
   * every few seconds while serving and on shutdown; never needed for correctness.
   */
  persist(): Promise<void> {
    return this.loader.persist();
  }

  close(): void {
    this.watcher.close();
  }

  private fileOf(id: string): string {
    return itemFile(this.layout, id);
  }

  /**
   * The stamp of a file this store just wrote. `seenAt` is when the write began, so the entry
   * counts as unsettled and is checked against the file once more before it is cached: an
   * edit that slipped in right after our write cannot hide behind a matching stamp.
   */
  private stampOwnWrite(decoded: Item, digest: string, writeStarted: number): CachedFile | undefined {
    const info = lstatSync(this.fileOf(decoded.id), { throwIfNoEntry: false });
    if (!info?.isFile()) return undefined;
    // Our files always carry their dates, so the item read back before writing is exactly what a
    // start-up without the cache would decode from this file (the mtime is only a fallback).
    return cachedFile(stampOf(info), writeStarted, digest, decoded);
  }

  /**
   * Resolves a document path (already checked by the core) and proves, after
   * following symlinks, that it is a regular file inside resources/.
   */
  private async documentPath(path: string): Promise<string | undefined> {
    const base = await realpath(this.layout.resources);
    let real: string;
    try {
      real = await realpath(join(base, path));
    } catch {
      return undefined;
    }
    if (!real.startsWith(base + sep)) throw invalid('uri', 'a path that stays inside resources/', path);
    const info = await stat(real);
    if (!info.isFile()) throw invalid('uri', 'a regular file under resources/', path);
    if (info.size > LIMITS.descriptionBytes) {
      throw invalid('uri', `a document of at most ${LIMITS.descriptionBytes} bytes`, `${info.size} bytes`);
    }
    return real;
  }
}

/** Never writes a file it could not read back as the same item (the last guard before the disk). */
type Traced = { text: string; plain: boolean };

function encodeChecked(item: Item, traced?: Traced): { text: string; decoded?: Item } {
  const text = traced?.text ?? encodeItem(item);
  const problem = encodedFileProblem(text);
  if (problem)
    throw invalid('description', 'text the item file can hold', item.description, `It would read as: ${problem}.`);
  return { text };
}

function encodeReadable(item: Item, traced = encodeItemTraced(item)): { text: string; decoded: Item } {
  const { text, plain } = traced;
  // Front matter from plainYaml reads back as written; of decodeItem's checks only the body's and
  // its normalizing of labels remain.
  if (plain && labelsNormal(item)) {
    const problem = encodedFileProblem(text);
    if (problem)
      throw invalid('description', 'text the item file can hold', item.description, `It would read as: ${problem}.`);
    return { text, decoded: item };
  }
  const back = decodeItem(text, item.id, item.updated_at);
  if (!back.ok)
    throw invalid('description', 'text the item file can hold', item.description, `It would read as: ${back.error}.`);
  for (const field of ['title', 'description'] as const) {
    if (back.item[field] !== item[field]) {
      throw invalid(field, 'text that reads back unchanged from the item file', item[field]);
    }
  }
  return { text, decoded: back.item };
}

function labelsNormal(item: Item): boolean {
  if (!item.labels) return true;
  const normal = normalizeLabels(item.labels);
  return normal.length === item.labels.length && normal.every((label, i) => label === item.labels?.[i]);
}

/** Deep equality of plain data (what items hold), a key with an undefined value counting as absent. */
function samePlainData(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a) && Array.isArray(b)) {
    return a.length === b.length && a.every((value, i) => samePlainData(value, b[i]));
  }
  const left = a as Record<string, unknown>;
  const right = b as Record<string, unknown>;
  const keys = (record: Record<string, unknown>) => Object.keys(record).filter((key) => record[key] !== undefined);
  const leftKeys = keys(left);
  if (leftKeys.length !== keys(right).length) return false;
  return leftKeys.every((key) => samePlainData(left[key], right[key]));
}
