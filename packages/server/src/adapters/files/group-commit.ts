import { close, fsync, open, renameSync } from 'node:fs';
import type { Durability } from '../../core/ports.js';
import { removeQuietly, type UnsyncedFile } from './atomic-write.js';

/** One write waiting to be made durable: its data, where it goes, and who waits for it. */
interface Entry extends UnsyncedFile {
  seq: number;
  path: string;
  /** Runs once the write is durable and in place (the store records the file's stamp). */
  settled?: () => void;
  resolve(): void;
  reject(error: unknown): void;
}

export interface CommitStats {
  /** Writes made durable. */
  writes: number;
  /** fsync rounds they took: writes / rounds is how many shared one. */
  rounds: number;
}

/**
 * Group commit for the item files (ADR 0021). Writers hand over files whose content is written but
 * not synced; while one round of fsyncs runs in the thread pool, the files that arrive meanwhile
 * wait and are made durable together by the next round: their fsyncs in parallel (on ext4 the
 * first commits the others' data with it), replacements renamed into place in arrival order, then
 * one fsync of the folder for the whole round. The event loop never waits on a disk.
 *
 * Rounds run one after another, so a write is never durable before one that was handed over
 * earlier; each writer learns its own outcome through `durable`.
 */
export class GroupCommit implements Durability {
  private queue: Entry[] = [];
  private running: Promise<void> | undefined;
  private nextSeq = 0;
  /** Outcomes not yet collected by `durable`, by sequence number. */
  private readonly outcomes = new Map<number, Promise<void>>();
  /** Replacements handed over but not yet renamed into place, by file: the disk is behind memory there. */
  private readonly unplaced = new Map<string, number>();
  readonly stats: CommitStats = { writes: 0, rounds: 0 };

  constructor(private readonly dir: string) {}

  /** Hands a written file over; the returned sequence number is what `durable` waits on. */
  add(path: string, file: UnsyncedFile, settled?: () => void): number {
    const seq = this.nextSeq++;
    let resolve!: () => void;
    let reject!: (error: unknown) => void;
    const outcome = new Promise<void>((ok, fail) => {
      resolve = ok;
      reject = fail;
    });
    // Nobody may ever ask (a writer that failed after writing): never an unhandled rejection.
    outcome.catch(() => undefined);
    this.outcomes.set(seq, outcome);
    if (file.temp) this.unplaced.set(path, (this.unplaced.get(path) ?? 0) + 1);
    this.queue.push({ ...file, seq, path, settled, resolve, reject });
    this.running ??= this.drain();
    return seq;
  }

  mark(): number {
    return this.nextSeq;
  }

  /** Resolves when every write handed over in [from, to) is durable; rejects with the first that failed. */
  async durable(from: number, to: number): Promise<void> {
    const waits: Promise<void>[] = [];
    for (let seq = from; seq < to; seq++) {
      const outcome = this.outcomes.get(seq);
      if (!outcome) continue;
      waits.push(outcome);
      // Collected: a settled success is dropped below, a failure is reported to this caller only.
      void outcome.then(
        () => this.outcomes.delete(seq),
        () => this.outcomes.delete(seq),
      );
    }
    await Promise.all(waits);
  }

  /** True while a replacement of `path` is written but not yet renamed over it. */
  isUnplaced(path: string): boolean {
    return this.unplaced.has(path);
  }

  /** Resolves when nothing is waiting (before a delete, which must not race a pending rename). */
  async idle(): Promise<void> {
    while (this.running) await this.running;
  }

  private async drain(): Promise<void> {
    while (this.queue.length > 0) {
      const round = this.queue;
      this.queue = [];
      await this.commit(round);
    }
    this.running = undefined;
  }

  private async commit(round: Entry[]): Promise<void> {
    const synced = await Promise.all(round.map((entry) => settle(syncAndClose(entry.fd))));
    const failures = new Map<Entry, unknown>();
    round.forEach((entry, i) => {
      const failure = synced[i];
      if (failure !== undefined) failures.set(entry, failure);
      if (!entry.temp) return;
      try {
        if (failure === undefined) renameSync(entry.temp, entry.path);
      } catch (error) {
        failures.set(entry, error);
      }
      if (failures.has(entry)) removeQuietly(entry.temp);
      const count = (this.unplaced.get(entry.path) ?? 1) - 1;
      if (count > 0) this.unplaced.set(entry.path, count);
      else this.unplaced.delete(entry.path);
    });
    // The folder's entries (new links, renames) are durable only once the folder is synced.
    await syncDirectory(this.dir);
    this.stats.rounds++;
    this.stats.writes += round.length;
    for (const entry of round) {
      const failure = failures.get(entry);
      if (failure !== undefined) {
        entry.reject(failure);
        continue;
      }
      entry.settled?.();
      entry.resolve();
      this.outcomes.delete(entry.seq);
    }
  }
}

/** undefined when the promise fulfilled, else its error. */
function settle(promise: Promise<void>): Promise<unknown> {
  return promise.then(
    () => undefined,
    (error: unknown) => error ?? new Error('fsync failed'),
  );
}

function syncAndClose(fd: number): Promise<void> {
  return new Promise((resolve, reject) => {
    fsync(fd, (syncError) => {
      close(fd, (closeError) => {
        const error = syncError ?? closeError;
        if (error) reject(error);
        else resolve();
      });
    });
  });
}

function syncDirectory(dir: string): Promise<void> {
  return new Promise((resolve) => {
    open(dir, 'r', (openError, fd) => {
      if (openError) return resolve();
      // Some file systems refuse fsync on a folder; the renames are still atomic there.
      fsync(fd, () => close(fd, () => resolve()));
    });
  });
}
