import { lstatSync, readdirSync } from 'node:fs';
import { lstat, mkdir, readFile, realpath, stat, unlink } from 'node:fs/promises';
import { join, sep } from 'node:path';
import { type EntityType, formatId, type Item, parseCanonicalId, TYPE_PREFIX } from '@backlog-mcp/shared';
import { BacklogError, invalid } from '../../core/errors.js';
import { LIMITS } from '../../core/limits.js';
import { Mutex } from '../../core/mutex.js';
import type { ExternalChange, Snapshot, Store } from '../../core/ports.js';
import { decodeItem, encodeItem } from '../../format/item-markdown.js';
import { createFileExclusive, sweepStaleTemps, writeFileAtomic } from './atomic-write.js';
import { type DataLayout, dataLayout, itemFile } from './data-layout.js';
import { DiskMirror, hash, itemOf, NOT_AN_ID } from './disk-mirror.js';
import { changedMeanwhile, FileWatcher } from './file-watcher.js';
import { HighWaterMarks } from './high-water.js';
import {
  type CachedFile,
  canSettle,
  isSettled,
  LOAD_CACHE_FILE,
  type LoadCache,
  readLoadCache,
  sameStamp,
  stampOf,
  writeLoadCache,
} from './load-cache.js';
import { readRegularFileSync } from './read-regular.js';

export { type DataLayout, dataLayout } from './data-layout.js';

export interface MarkdownStoreOptions {
  dataDir: string;
  log: (line: string) => void;
  /** Follow edits made by people, editors and git; off for one-shot tools. */
  watch?: boolean;
}

/** How the last start-up got its items: from the load cache (one lstat each) or by reading the file. */
export interface LoadStats {
  cached: number;
  read: number;
}

/**
 * Items as Markdown files in one flat `tasks/` folder. Memory holds a parsed
 * snapshot; the files stay the truth and are re-read when something else changes them.
 */
export class MarkdownStore implements Store {
  readonly layout: DataLayout;
  private readonly mirror: DiskMirror;
  /** The entries the cache file holds, by identity; undefined when the file is missing a usable copy. */
  private inCacheFile: ReadonlySet<CachedFile> | undefined;
  /** Cache writes one after another, never two at once. */
  private persisting: Promise<void> = Promise.resolve();
  readonly loadStats: LoadStats = { cached: 0, read: 0 };
  /**
   * Every write of an item file and every re-read the watcher makes, one at a time: a re-read
   * can then never see an older file than the last write and put that stale item back in memory.
   */
  private readonly io = new Mutex();
  private readonly watcher: FileWatcher;
  private highWater!: HighWaterMarks;

  private constructor(private readonly options: MarkdownStoreOptions) {
    this.layout = dataLayout(options.dataDir);
    this.mirror = new DiskMirror(options.log);
    this.watcher = new FileWatcher(this.layout, this.mirror, this.io, options.log);
  }

  static async open(options: MarkdownStoreOptions): Promise<MarkdownStore> {
    const store = new MarkdownStore(options);
    await store.load();
    if (options.watch) store.watcher.start();
    return store;
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
    if (!item && problems.has(`${id}.md`)) {
      throw new BacklogError(
        'conflict',
        `id: the file tasks/${id}.md exists but cannot be read (${problems.get(`${id}.md`)}). Fix the file by hand; it is never overwritten.`,
        'id',
      );
    }
    return item;
  }

  async create(type: EntityType, build: (id: string) => Item): Promise<Item> {
    return this.io.run(async () => {
      let seq = Math.max(this.mirror.maxSeq(type), this.highWater.get(TYPE_PREFIX[type])) + 1;
      for (;;) {
        const item = build(formatId(type, seq));
        const { text, decoded } = encodeReadable(item);
        const writeStarted = Date.now();
        if (await createFileExclusive(this.fileOf(item.id), text)) {
          const digest = hash(text);
          this.mirror.remember(item, digest, this.stampOwnWrite(decoded, digest, writeStarted));
          return item;
        }
        seq++; // another process took this ID a moment ago
      }
    });
  }

  async save(item: Item): Promise<void> {
    await this.io.run(async () => {
      const known = this.mirror.item(item.id);
      if (known && known.version >= item.version) throw changedMeanwhile(item.id);
      const { text, decoded } = encodeReadable(item);
      await this.watcher.checkUnchanged(item.id);
      const writeStarted = Date.now();
      await writeFileAtomic(this.fileOf(item.id), text);
      const digest = hash(text);
      this.mirror.remember(item, digest, this.stampOwnWrite(decoded, digest, writeStarted));
    });
  }

  async remove(id: string): Promise<void> {
    const parsed = parseCanonicalId(id);
    if (!parsed) throw invalid('id', 'a canonical item ID', id);
    await this.io.run(async () => {
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
    const run = this.persisting.then(() => this.saveLoadCache());
    this.persisting = run.catch(() => undefined);
    return run;
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
    return { ...stampOf(info), seenAt: writeStarted, hash: digest, item: decoded };
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

  private get cachePath(): string {
    return join(this.layout.state, LOAD_CACHE_FILE);
  }

  private async load(): Promise<void> {
    const started = performance.now();
    const folders = Promise.all(
      [this.layout.tasks, this.layout.resources, this.layout.state].map((d) => mkdir(d, { recursive: true })),
    );
    // The server does not serve yet: blocking calls cost nothing here and skip the thread pool's
    // overhead. The cache is read while the folders are being made.
    const cache = readLoadCache(this.cachePath);
    if (cache.kind === 'corrupt')
      this.options.log(`backlog: ignoring a damaged load cache (${cache.reason}); rebuilding it`);
    await folders;
    const listed = readdirSync(this.layout.tasks);
    // A writer killed mid-write leaves a dot-file temp behind: never an item, but clutter.
    const [highWater, ...swept] = await Promise.all([
      HighWaterMarks.open(join(this.layout.state, 'ids.json')),
      sweepStaleTemps(this.layout.tasks, { names: listed.filter((name) => name.startsWith('.')) }),
      sweepStaleTemps(this.layout.state),
      sweepStaleTemps(this.layout.resources, { recursive: true }),
    ]);
    this.highWater = highWater;
    const sweptCount = swept.reduce((sum, names) => sum + names.length, 0);
    if (sweptCount > 0) this.options.log(`backlog: removed ${sweptCount} temp file(s) left by an interrupted write`);
    const cached = cache.kind === 'ok' ? cache.entries : new Map<string, CachedFile>();
    // Taken before the first lstat: no stamp or text below is older than this.
    const seenAt = Date.now();
    for (const name of listed) {
      if (!name.startsWith('.')) this.loadOne(name, cached, seenAt);
    }
    const seconds = (performance.now() - started) / 1000;
    this.options.log(
      `backlog: loaded ${this.mirror.size} item${this.mirror.size === 1 ? '' : 's'} in ${seconds.toFixed(2)} s ` +
        `(${this.loadStats.cached} from the load cache, ${this.loadStats.read} read from disk)`,
    );
    const problems = this.mirror.listProblems().size;
    if (problems > 0) {
      this.options.log(`backlog: ${problems} file(s) in tasks/ were skipped; they are left untouched`);
    }
    this.inCacheFile = cacheEntries(cache);
    this.mirror.cacheDirty = this.loadStats.read > 0 || this.inCacheFile?.size !== this.loadStats.cached;
    if (this.mirror.cacheDirty) {
      void this.persist().catch((error: unknown) =>
        this.options.log(`backlog: could not save the load cache: ${String(error)}`),
      );
    }
  }

  /** Start-up: one file, from the load cache while its stamp matches, otherwise read and decoded. */
  private loadOne(name: string, cached: ReadonlyMap<string, CachedFile>, seenAt: number): void {
    // Plain concatenation: path.join costs more than the lstat's own work ten thousand times over.
    const file = `${this.layout.tasks}${sep}${name}`;
    const parsed = itemOf(name);
    if (!parsed) {
      if (name.endsWith('.md') && lstatSync(file, { throwIfNoEntry: false })) this.mirror.report(name, NOT_AN_ID);
      return;
    }
    const info = lstatSync(file, { throwIfNoEntry: false });
    if (!info) return; // deleted since the listing
    if (!info.isFile()) return void this.mirror.report(name, 'not a regular file');
    const entry = cached.get(name);
    if (entry && sameStamp(entry, info)) {
      this.loadStats.cached++;
      this.mirror.takeCached(name, parsed, entry);
      return;
    }
    const read = readRegularFileSync(file);
    if (read.kind === 'missing') return;
    if (read.kind === 'not-regular') return void this.mirror.report(name, 'not a regular file');
    this.loadStats.read++;
    this.mirror.accept(name, parsed.id, read.info, seenAt, read.text);
  }

  private async saveLoadCache(): Promise<void> {
    if (!this.mirror.cacheDirty) return;
    this.mirror.cacheDirty = false;
    try {
      await this.io.run(() => this.settleEntries());
      const onDisk = this.mirror.onDisk;
      const entries = [...onDisk].filter(([, entry]) => isSettled(entry));
      // The rest (changed a moment ago) are written on a later call, once they have settled.
      if (entries.length < onDisk.size) this.mirror.cacheDirty = true;
      // Entries the file holds for files changed or gone since do no harm (their stamps no longer
      // match): rewriting the whole file pays only when it learns something.
      const known = this.inCacheFile;
      if (known && entries.every(([, entry]) => known.has(entry))) return;
      await writeLoadCache(this.cachePath, entries);
      this.inCacheFile = new Set(entries.map(([, entry]) => entry));
    } catch (error) {
      this.mirror.cacheDirty = true;
      throw error;
    }
  }

  /**
   * Entries seen too soon after their file changed (see isSettled) are checked against the file
   * once that moment has passed: same stamp and same text prove them; anything else drops them,
   * and the watcher or the next start reads the file. Runs under the io lock, so no write of ours
   * lands between the lstat and the read.
   */
  private async settleEntries(): Promise<void> {
    const onDisk = this.mirror.onDisk;
    for (const [name, entry] of onDisk) {
      if (isSettled(entry) || !canSettle(entry, Date.now())) continue;
      const seenAt = Date.now();
      const file = join(this.layout.tasks, name);
      const info = await lstat(file).catch(() => undefined);
      const same = info?.isFile() === true && sameStamp(stampOf(info), entry);
      const text = same ? await readFile(file, 'utf8').catch(() => undefined) : undefined;
      if (text !== undefined && hash(text) === entry.hash) onDisk.set(name, { ...entry, seenAt });
      else onDisk.delete(name);
    }
  }
}

/** Never writes a file it could not read back as the same item (the last guard before the disk). */
function encodeReadable(item: Item): { text: string; decoded: Item } {
  const text = encodeItem(item);
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

/** What the cache file holds: nothing when missing; unknown (so rewritten) when damaged or outdated. */
function cacheEntries(cache: LoadCache): ReadonlySet<CachedFile> | undefined {
  if (cache.kind === 'ok') return new Set(cache.entries.values());
  return cache.kind === 'missing' ? new Set() : undefined;
}
