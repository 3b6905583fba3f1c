import { lstatSync, readdirSync } from 'node:fs';
import { lstat, mkdir, readFile } from 'node:fs/promises';
import { join, sep } from 'node:path';
import type { Mutex } from '../../core/mutex.js';
import { sweepStaleTemps } from './atomic-write.js';
import type { DataLayout } from './data-layout.js';
import { type DiskMirror, hash, itemOf, NOT_AN_ID } from './disk-mirror.js';
import { HighWaterMarks } from './high-water.js';
import {
  appendLoadCacheLog,
  type CachedFile,
  cachedFile,
  canSettle,
  isSettled,
  LOAD_CACHE_FILE,
  LOAD_CACHE_LOG,
  type LoadCache,
  readLoadCache,
  sameStamp,
  stampOf,
  writeLoadCache,
} from './load-cache.js';
import { readRegularFileSync } from './read-regular.js';

/** The log may hold this many entries, or a quarter of the cache file's if more, before it is folded in. */
const MIN_LOG_ENTRIES = 1_000;

/** How the last start-up got its items: from the load cache (one lstat each) or by reading the file. */
export interface LoadStats {
  cached: number;
  read: number;
}

/**
 * Fills the mirror at start-up (one scan of tasks/, from the load cache where stamps still
 * match, files that cannot be loaded reported as problems) and keeps the load cache written.
 */
export class FileLoader {
  /** The entries the cache file and its log hold, by identity; undefined when the file is missing a usable copy. */
  private inCacheFile: Set<CachedFile> | undefined;
  /** The cache file's identity (its log names it), and how many entries the log holds. */
  private base: string | undefined;
  private logged = 0;
  /** Cache writes one after another, never two at once. */
  private persisting: Promise<void> = Promise.resolve();
  /** Files taken from the load cache on its word, their stamps still to be checked (`verifyDeferred`). */
  private unverified: string[] = [];
  readonly loadStats: LoadStats = { cached: 0, read: 0 };

  constructor(
    private readonly layout: DataLayout,
    private readonly mirror: DiskMirror,
    private readonly io: Mutex,
    private readonly log: (line: string) => void,
    /** A file found to hold other text than memory under an unchanged stamp: read it in again. */
    private readonly stale: (name: string) => void = () => undefined,
  ) {}

  /**
   * Writes the load cache if anything changed since the last write. Called after start-up,
   * every few seconds while serving and on shutdown; never needed for correctness.
   */
  persist(): Promise<void> {
    const run = this.persisting.then(() => this.saveLoadCache());
    this.persisting = run.catch(() => undefined);
    return run;
  }

  private get cachePath(): string {
    return join(this.layout.state, LOAD_CACHE_FILE);
  }

  private get logPath(): string {
    return join(this.layout.state, LOAD_CACHE_LOG);
  }

  /**
   * Start-up: makes the folders, sweeps stale temps and loads every item file; gives the ID
   * high-water marks. `deferStampCheck`: a file the load cache knows is taken without its lstat, and
   * checked by `verifyDeferred` once the server is up (10,000 lstats were a tenth of a restart).
   */
  async load(options: { deferStampCheck?: boolean } = {}): Promise<HighWaterMarks> {
    const started = performance.now();
    const folders = Promise.all(
      [this.layout.tasks, this.layout.resources, this.layout.state].map((d) => mkdir(d, { recursive: true })),
    );
    // The server does not serve yet: blocking calls cost nothing here and skip the thread pool's
    // overhead. The cache is read while the folders are being made.
    const cache = readLoadCache(this.cachePath, this.logPath);
    if (cache.kind === 'ok') {
      this.base = cache.base;
      this.logged = cache.logged;
    }
    if (cache.kind === 'corrupt') this.log(`backlog: ignoring a damaged load cache (${cache.reason}); rebuilding it`);
    await folders;
    const listed = readdirSync(this.layout.tasks);
    // A writer killed mid-write leaves a dot-file temp behind: never an item, but clutter.
    const [highWater, ...swept] = await Promise.all([
      HighWaterMarks.open(join(this.layout.state, 'ids.json')),
      sweepStaleTemps(this.layout.tasks, { names: listed.filter((name) => name.startsWith('.')) }),
      sweepStaleTemps(this.layout.state),
      sweepStaleTemps(this.layout.resources, { recursive: true }),
    ]);
    const sweptCount = swept.reduce((sum, names) => sum + names.length, 0);
    if (sweptCount > 0) this.log(`backlog: removed ${sweptCount} temp file(s) left by an interrupted write`);
    const cached = cache.kind === 'ok' ? cache.entries : new Map<string, CachedFile>();
    // Taken before the first lstat: no stamp or text below is older than this.
    const seenAt = Date.now();
    for (const name of listed) {
      if (!name.startsWith('.')) this.loadOne(name, cached, seenAt, options.deferStampCheck === true);
    }
    const seconds = (performance.now() - started) / 1000;
    this.log(
      `backlog: loaded ${this.mirror.size} item${this.mirror.size === 1 ? '' : 's'} in ${seconds.toFixed(2)} s ` +
        `(${this.loadStats.cached} from the load cache, ${this.loadStats.read} read from disk)`,
    );
    const problems = this.mirror.listProblems().size;
    if (problems > 0) {
      this.log(`backlog: ${problems} file(s) in tasks/ were skipped; they are left untouched`);
    }
    this.inCacheFile = cacheEntries(cache);
    this.mirror.cacheDirty = this.loadStats.read > 0 || this.inCacheFile?.size !== this.loadStats.cached;
    if (this.mirror.cacheDirty) {
      void this.persist().catch((error: unknown) =>
        this.log(`backlog: could not save the load cache: ${String(error)}`),
      );
    }
    return highWater;
  }

  /** Start-up: one file, from the load cache while its stamp matches, otherwise read and decoded. */
  private loadOne(name: string, cached: ReadonlyMap<string, CachedFile>, seenAt: number, defer: boolean): void {
    // Plain concatenation: path.join costs more than the lstat's own work ten thousand times over.
    const file = `${this.layout.tasks}${sep}${name}`;
    const parsed = itemOf(name);
    const known = parsed && defer ? cached.get(name) : undefined;
    if (parsed && known) {
      this.loadStats.cached++;
      this.mirror.takeCached(name, parsed, known);
      this.unverified.push(name);
      return;
    }
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

  /**
   * Checks the stamps `load` skipped, a thousand files per turn of the event loop, and hands each
   * file that changed while no server ran (or is gone) to `changed`, which reads it in as an
   * outside edit. A file written by us since start-up has a new entry and is left alone.
   * Returns how many had changed.
   */
  async verifyDeferred(changed: (name: string) => void): Promise<number> {
    const names = this.unverified;
    this.unverified = [];
    let count = 0;
    for (let i = 0; i < names.length; i++) {
      const name = names[i] as string;
      const entry = this.mirror.onDisk.get(name);
      if (entry) {
        const info = lstatSync(`${this.layout.tasks}${sep}${name}`, { throwIfNoEntry: false });
        if (!info?.isFile() || !sameStamp(entry, info)) {
          count++;
          changed(name);
        }
      }
      if (i % 1000 === 999) await new Promise((resolve) => setImmediate(resolve));
    }
    return count;
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
      const fresh = known ? entries.filter(([, entry]) => !known.has(entry)) : entries;
      if (known && fresh.length === 0) return;
      if (known && this.base && this.logged + fresh.length <= Math.max(MIN_LOG_ENTRIES, entries.length / 4)) {
        appendLoadCacheLog(this.logPath, this.base, fresh, this.logged === 0);
        this.logged += fresh.length;
        for (const [, entry] of fresh) known.add(entry);
        return;
      }
      this.base = await writeLoadCache(this.cachePath, entries, this.logPath);
      this.logged = 0;
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
      if (text !== undefined && hash(text) === entry.hash)
        onDisk.set(name, cachedFile(entry, seenAt, entry.hash, entry.item));
      else {
        onDisk.delete(name);
        // Another writer within the same clock tick as ours, whose event the watcher took for ours.
        if (same) this.stale(name);
      }
    }
  }
}

/** What the cache file holds: nothing when missing; unknown (so rewritten) when damaged or outdated. */
function cacheEntries(cache: LoadCache): Set<CachedFile> | undefined {
  if (cache.kind === 'ok') return new Set(cache.entries.values());
  return cache.kind === 'missing' ? new Set() : undefined;
}
