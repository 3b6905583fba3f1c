import { createHash } from 'node:crypto';
import { type FSWatcher, watch } from 'node:fs';
import { lstat, mkdir, readdir, readFile, realpath, stat, unlink } from 'node:fs/promises';
import { join, sep } from 'node:path';
import { CANONICAL_ID, type EntityType, formatId, type Item, parseCanonicalId, TYPE_PREFIX } from '@backlog-mcp/shared';
import { BacklogError, conflict, invalid } from '../../core/errors.js';
import { LIMITS } from '../../core/limits.js';
import { newestFirst } from '../../core/list.js';
import { Mutex } from '../../core/mutex.js';
import type { ExternalChange, Snapshot, Store } from '../../core/ports.js';
import { createFileExclusive, sweepStaleTemps, writeFileAtomic } from './atomic-write.js';
import { decodeItem, encodeItem } from './codec.js';
import { HighWaterMarks } from './high-water.js';

export interface DataLayout {
  root: string;
  tasks: string;
  resources: string;
  state: string;
}

export function dataLayout(root: string): DataLayout {
  return { root, tasks: join(root, 'tasks'), resources: join(root, 'resources'), state: join(root, '.state') };
}

export interface MarkdownStoreOptions {
  dataDir: string;
  log: (line: string) => void;
  /** Follow edits made by people, editors and git; off for one-shot tools. */
  watch?: boolean;
}

const ITEM_FILE = /^([A-Z]{4}-\d{4,})\.md$/;
const READ_CONCURRENCY = 64;

/**
 * Items as Markdown files in one flat `tasks/` folder. Memory holds a parsed
 * snapshot; the files stay the truth and are re-read when something else changes them.
 */
export class MarkdownStore implements Store {
  readonly layout: DataLayout;
  private readonly items = new Map<string, Item>();
  /** Hash of the text last read or written per file, to tell our own writes from outside edits. */
  private readonly hashes = new Map<string, string>();
  private readonly problems = new Map<string, string>();
  private readonly maxSeq = new Map<EntityType, number>();
  /**
   * Every write of an item file and every re-read the watcher makes, one at a time: a re-read
   * can then never see an older file than the last write and put that stale item back in memory.
   */
  private readonly io = new Mutex();
  private readonly listeners = new Set<(change: ExternalChange) => void>();
  private readonly pending = new Map<string, ReturnType<typeof setTimeout>>();
  private current: Snapshot | undefined;
  private watcher: FSWatcher | undefined;
  private rootWatcher: FSWatcher | undefined;
  private rescanTimer: ReturnType<typeof setTimeout> | undefined;
  private closed = false;
  private highWater!: HighWaterMarks;

  private constructor(private readonly options: MarkdownStoreOptions) {
    this.layout = dataLayout(options.dataDir);
  }

  static async open(options: MarkdownStoreOptions): Promise<MarkdownStore> {
    const store = new MarkdownStore(options);
    await store.load();
    if (options.watch) store.startWatching();
    return store;
  }

  /** Files that could not be loaded, by file name, with the reason. */
  listProblems(): ReadonlyMap<string, string> {
    return this.problems;
  }

  async snapshot(): Promise<Snapshot> {
    this.current ??= { items: [...this.items.values()].sort(newestFirst), byId: this.items };
    return this.current;
  }

  async get(id: string): Promise<Item | undefined> {
    const item = this.items.get(id);
    if (!item && this.problems.has(`${id}.md`)) {
      throw new BacklogError(
        'conflict',
        `id: the file tasks/${id}.md exists but cannot be read (${this.problems.get(`${id}.md`)}). Fix the file by hand; it is never overwritten.`,
        'id',
      );
    }
    return item;
  }

  async create(type: EntityType, build: (id: string) => Item): Promise<Item> {
    return this.io.run(async () => {
      let seq = Math.max(this.maxSeq.get(type) ?? 0, this.highWater.get(TYPE_PREFIX[type])) + 1;
      for (;;) {
        const item = build(formatId(type, seq));
        const text = encodeReadable(item);
        if (await createFileExclusive(this.fileOf(item.id), text)) {
          this.remember(item, text);
          return item;
        }
        seq++; // another process took this ID a moment ago
      }
    });
  }

  async save(item: Item): Promise<void> {
    await this.io.run(async () => {
      const known = this.items.get(item.id);
      if (known && known.version >= item.version) throw changedMeanwhile(item.id);
      const text = encodeReadable(item);
      await this.checkUnchangedOnDisk(item.id);
      await writeFileAtomic(this.fileOf(item.id), text);
      this.remember(item, text);
    });
  }

  async remove(id: string): Promise<void> {
    const parsed = parseCanonicalId(id);
    if (!parsed) throw invalid('id', 'a canonical item ID', id);
    await this.io.run(async () => {
      await this.checkUnchangedOnDisk(id);
      // Record the high-water mark first, so a deleted top ID is never handed out again.
      await this.highWater.raise(TYPE_PREFIX[parsed.type], parsed.seq);
      await unlink(this.fileOf(id));
      this.forget(id);
    });
  }

  /** IDs whose files exist but cannot be loaded (merge conflicts, broken YAML...). */
  unreadableIds(): string[] {
    return [...this.problems.keys()].flatMap((name) => ITEM_FILE.exec(name)?.[1] ?? []);
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
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  close(): void {
    this.closed = true;
    this.watcher?.close();
    this.rootWatcher?.close();
    clearTimeout(this.rescanTimer);
    for (const timer of this.pending.values()) clearTimeout(timer);
    this.pending.clear();
  }

  private fileOf(id: string): string {
    return join(this.layout.tasks, `${id}.md`);
  }

  /**
   * An editor or `git checkout` may have changed the file a moment ago, before the watcher's
   * re-read: never overwrite (or delete) what we have not seen. Reads the change in instead
   * and refuses the write with a conflict the caller can retry.
   */
  private async checkUnchangedOnDisk(id: string): Promise<void> {
    const name = `${id}.md`;
    let text: string | undefined;
    try {
      text = await readFile(this.fileOf(id), 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
    if (text !== undefined && hash(text) === this.hashes.get(name)) return;
    const change = await this.readOne(name);
    if (change) this.notify(change);
    throw changedMeanwhile(id);
  }

  private remember(item: Item, text: string): void {
    this.items.set(item.id, item);
    this.current = nextSnapshot(this.current, item, this.items);
    this.hashes.set(`${item.id}.md`, hash(text));
    this.problems.delete(`${item.id}.md`);
    const parsed = parseCanonicalId(item.id);
    if (parsed && parsed.seq > (this.maxSeq.get(parsed.type) ?? 0)) this.maxSeq.set(parsed.type, parsed.seq);
  }

  private forget(id: string): void {
    this.items.delete(id);
    this.hashes.delete(`${id}.md`);
    if (this.current) this.current = { items: this.current.items.filter((item) => item.id !== id), byId: this.items };
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

  private async load(): Promise<void> {
    await Promise.all(
      [this.layout.tasks, this.layout.resources, this.layout.state].map((d) => mkdir(d, { recursive: true })),
    );
    // A writer killed mid-write leaves a dot-file temp behind: never an item, but clutter.
    const swept = [
      ...(await sweepStaleTemps(this.layout.tasks)),
      ...(await sweepStaleTemps(this.layout.state)),
      ...(await sweepStaleTemps(this.layout.resources, { recursive: true })),
    ];
    if (swept.length > 0)
      this.options.log(`backlog: removed ${swept.length} temp file(s) left by an interrupted write`);
    this.highWater = await HighWaterMarks.open(join(this.layout.state, 'ids.json'));
    const names = (await readdir(this.layout.tasks)).filter((name) => !name.startsWith('.'));
    for (let i = 0; i < names.length; i += READ_CONCURRENCY) {
      await Promise.all(names.slice(i, i + READ_CONCURRENCY).map((name) => this.readOne(name)));
    }
    if (this.problems.size > 0) {
      this.options.log(`backlog: ${this.problems.size} file(s) in tasks/ were skipped; they are left untouched`);
    }
  }

  /** Reads one file into the snapshot. Returns what changed, for the watcher. */
  private async readOne(name: string): Promise<ExternalChange | undefined> {
    const match = ITEM_FILE.exec(name);
    const id = match?.[1];
    if (!id || !CANONICAL_ID.test(id) || !parseCanonicalId(id)) {
      if (!name.endsWith('.md')) return undefined;
      const exists = await lstat(join(this.layout.tasks, name)).then(
        () => true,
        () => false,
      );
      if (exists) this.report(name, 'the file name is not an item ID such as TASK-0001.md');
      else this.problems.delete(name);
      return undefined;
    }
    const file = this.fileOf(id);
    let text: string;
    let mtime: string;
    try {
      const info = await lstat(file);
      if (!info.isFile()) return this.report(name, 'not a regular file');
      text = await readFile(file, 'utf8');
      mtime = info.mtime.toISOString();
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      if (!this.items.has(id) && !this.problems.delete(name)) return undefined;
      this.forget(id);
      return { kind: 'remove', id };
    }
    const digest = hash(text);
    if (this.hashes.get(name) === digest) return undefined;
    const decoded = decodeItem(text, id, mtime);
    if (!decoded.ok) {
      const known = this.items.has(id);
      this.forget(id);
      this.report(name, decoded.error);
      return known ? { kind: 'remove', id } : undefined;
    }
    // A hand edit rarely bumps `version`; bump it in memory so if_version still sees the change.
    const known = this.items.get(id);
    if (known && decoded.item.version <= known.version) decoded.item.version = known.version + 1;
    this.remember(decoded.item, text);
    return { kind: 'upsert', item: decoded.item, created: !known };
  }

  private report(name: string, reason: string): undefined {
    if (this.problems.get(name) !== reason) this.options.log(`backlog: skipping tasks/${name}: ${reason}`);
    this.problems.set(name, reason);
    return undefined;
  }

  private startWatching(): void {
    this.watchTasks();
    // tasks/ itself can go and come back (git removes a folder that a checkout empties).
    try {
      this.rootWatcher = watch(this.layout.root, (_event, name) => {
        if (String(name) === 'tasks') this.scheduleRescan(true);
      });
      this.rootWatcher.on('error', () => undefined);
    } catch {
      // the folder watch is a safety net; tasks/ is still watched
    }
  }

  private watchTasks(): void {
    this.watcher?.close();
    this.watcher = undefined;
    try {
      this.watcher = watch(this.layout.tasks, (_event, name) => {
        if (!name) return this.scheduleRescan(false); // the OS dropped the name: look at everything
        const file = String(name);
        if (file.startsWith('.')) return;
        // Editors and git write in bursts; wait for the burst to settle, then read once.
        clearTimeout(this.pending.get(file));
        this.pending.set(
          file,
          setTimeout(() => {
            this.pending.delete(file);
            void this.reread(file);
          }, 50),
        );
      });
      this.watcher.on('error', (error) => {
        this.options.log(`backlog: file watcher stopped: ${String(error)}; watching again`);
        this.scheduleRescan(true);
      });
    } catch (error) {
      this.options.log(`backlog: cannot watch tasks/: ${String(error)}`);
    }
  }

  private async reread(file: string): Promise<void> {
    if (this.closed) return;
    try {
      const change = await this.io.run(() => this.readOne(file));
      if (change) this.notify(change);
    } catch (error) {
      this.options.log(`backlog: could not re-read tasks/${file}: ${String(error)}`);
    }
  }

  private scheduleRescan(rewatch: boolean): void {
    if (this.closed) return;
    clearTimeout(this.rescanTimer);
    this.rescanTimer = setTimeout(() => {
      if (rewatch) this.watchTasks();
      void this.rescan();
    }, 100);
  }

  /** Re-reads every file there is and every item we know, after the watcher may have missed events. */
  private async rescan(): Promise<void> {
    const names = new Set(
      (await readdir(this.layout.tasks).catch(() => [] as string[])).filter((name) => !name.startsWith('.')),
    );
    for (const id of this.items.keys()) names.add(`${id}.md`);
    for (const name of this.problems.keys()) names.add(name);
    for (const name of names) await this.reread(name);
  }

  private notify(change: ExternalChange): void {
    for (const listener of this.listeners) listener(change);
  }
}

/**
 * A write through the server is the newest item, so it moves to the front in O(n)
 * without re-sorting; anything else (a hand edit with an old date) re-sorts lazily.
 */
function nextSnapshot(
  current: Snapshot | undefined,
  item: Item,
  byId: ReadonlyMap<string, Item>,
): Snapshot | undefined {
  const head = current?.items[0];
  if (!current || (head && head.id !== item.id && newestFirst(item, head) > 0)) return undefined;
  return { items: [item, ...current.items.filter((other) => other.id !== item.id)], byId };
}

/** Never writes a file it could not read back as the same item (the last guard before the disk). */
function encodeReadable(item: Item): string {
  const text = encodeItem(item);
  const back = decodeItem(text, item.id, item.updated_at);
  if (!back.ok)
    throw invalid('description', 'text the item file can hold', item.description, `It would read as: ${back.error}.`);
  for (const field of ['title', 'description'] as const) {
    if (back.item[field] !== item[field]) {
      throw invalid(field, 'text that reads back unchanged from the item file', item[field]);
    }
  }
  return text;
}

function changedMeanwhile(id: string): BacklogError {
  return conflict(
    `id: ${id} was changed outside the server (an editor or git) while this write was being made; nothing was written. ` +
      'Re-read it (backlog_get) and retry.',
    'id',
  );
}

function hash(text: string): string {
  return createHash('sha1').update(text).digest('base64');
}
