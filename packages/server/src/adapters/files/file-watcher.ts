import { type FSWatcher, lstatSync, watch } from 'node:fs';
import { lstat, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { type BacklogError, conflict } from '../../core/errors.js';
import type { Mutex } from '../../core/mutex.js';
import type { ExternalChange } from '../../core/ports.js';
import { type DataLayout, itemFile } from './data-layout.js';
import { type DiskMirror, hash, itemOf, NOT_AN_ID } from './disk-mirror.js';
import { readRegularFileSync } from './read-regular.js';

/** A stamp is read a little after it can settle, so clock lag never makes the read too early. */
const SETTLE_MARGIN_MS = 10;

/**
 * Turns changes made on disk by people, editors and git into ExternalChange events: follows
 * tasks/ with fs.watch once started, and before every write checks that the file is still the
 * one last seen (a conflict otherwise). Re-reads run under the store's io lock.
 */
export class FileWatcher {
  private readonly listeners = new Set<(change: ExternalChange) => void>();
  private readonly pending = new Map<string, ReturnType<typeof setTimeout>>();
  private watcher: FSWatcher | undefined;
  private rootWatcher: FSWatcher | undefined;
  private rescanTimer: ReturnType<typeof setTimeout> | undefined;
  private closed = false;

  constructor(
    private readonly layout: DataLayout,
    private readonly mirror: DiskMirror,
    private readonly io: Mutex,
    private readonly log: (line: string) => void,
    /** True while our own replacement of the item's file is on its way (the disk is behind memory). */
    private readonly writing: (id: string) => boolean = () => false,
  ) {}

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

  /**
   * An editor or `git checkout` may have changed the file a moment ago, before the watcher's
   * re-read: never overwrite (or delete) what we have not seen. Reads the change in instead
   * and refuses the write with a conflict the caller can retry.
   */
  async checkUnchanged(id: string): Promise<void> {
    const name = `${id}.md`;
    const read = readRegularFileSync(itemFile(this.layout, id));
    if (read.kind === 'file' && hash(read.text) === this.mirror.hashOf(name)) return;
    const change = await this.readOne(name);
    if (change) this.notify(change);
    throw changedMeanwhile(id);
  }

  /** Reads one file into the snapshot. Returns what changed, for the watcher. */
  private async readOne(name: string): Promise<ExternalChange | undefined> {
    const id = itemOf(name)?.id;
    if (!id) {
      if (!name.endsWith('.md')) return undefined;
      const exists = await lstat(join(this.layout.tasks, name)).then(
        () => true,
        () => false,
      );
      if (exists) this.mirror.report(name, NOT_AN_ID);
      else this.mirror.clearProblem(name);
      return undefined;
    }
    // Our rename will land soon and bring its own event; reading now would take an older file for an edit.
    if (this.writing(id)) return undefined;
    // Our own write, seen too soon after it for its stamp to prove anything: read now, it would be
    // read again once settled (for the load cache). Read once, when it has settled: that read
    // proves the stamp, and still catches a write by someone else hiding under the same stamp.
    const stamp = lstatSync(itemFile(this.layout, id), { throwIfNoEntry: false });
    const wait = stamp?.isFile() ? this.mirror.unsettledFor(name, stamp, Date.now()) : 0;
    if (wait > 0) return void this.schedule(name, wait + SETTLE_MARGIN_MS);
    const seenAt = Date.now();
    const read = readRegularFileSync(itemFile(this.layout, id));
    if (read.kind === 'not-regular') return this.mirror.report(name, 'not a regular file');
    if (read.kind === 'missing') {
      if (!this.mirror.has(id) && !this.mirror.clearProblem(name)) return undefined;
      this.mirror.forget(id);
      return { kind: 'remove', id };
    }
    const { info, text } = read;
    return this.mirror.accept(name, id, info, seenAt, text);
  }

  /** Follows edits from now on; without it, changes are read in only by `checkUnchanged`. */
  start(): void {
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
        this.schedule(file, 50);
      });
      this.watcher.on('error', (error) => {
        this.log(`backlog: file watcher stopped: ${String(error)}; watching again`);
        this.scheduleRescan(true);
      });
    } catch (error) {
      this.log(`backlog: cannot watch tasks/: ${String(error)}`);
    }
  }

  /** Reads `tasks/<file>` in `ms`, unless asked again before (then only the later one). */
  private schedule(file: string, ms: number): void {
    if (this.closed) return;
    clearTimeout(this.pending.get(file));
    this.pending.set(
      file,
      setTimeout(() => {
        this.pending.delete(file);
        void this.reread(file);
      }, ms),
    );
  }

  /** Reads `tasks/<name>` again now (after one of our own writes failed: memory went ahead of it). */
  refresh(name: string): void {
    void this.reread(name);
  }

  private async reread(file: string): Promise<void> {
    if (this.closed) return;
    try {
      const change = await this.io.run(() => this.readOne(file));
      if (change) this.notify(change);
    } catch (error) {
      this.log(`backlog: could not re-read tasks/${file}: ${String(error)}`);
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
    for (const id of this.mirror.ids()) names.add(`${id}.md`);
    for (const name of this.mirror.listProblems().keys()) names.add(name);
    for (const name of names) await this.reread(name);
  }

  private notify(change: ExternalChange): void {
    for (const listener of this.listeners) listener(change);
  }
}

export function changedMeanwhile(id: string): BacklogError {
  return conflict(
    `id: ${id} was changed outside the server (an editor or git) while this write was being made; nothing was written. ` +
      'Re-read it (backlog_get) and retry.',
    'id',
  );
}
