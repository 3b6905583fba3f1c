import { close, fsync, open, renameSync } from 'node:fs';
import type { Durability } from '../../core/ports.js';
import { removeQuietly, syncAndClose, writeSyncedTemp } from './atomic-write.js';

/**
 * A write to make durable: a new file already linked in place (its name had to be claimed at
 * once), or the text of a replacement, written and renamed over the old file by the round.
 */
export type Write = { kind: 'create'; path: string; fd: number } | { kind: 'replace'; path: string; text: string };

/** One write waiting to be made durable, and who waits for it. */
type Entry = Write & {
  seq: number;
  /** Runs once the write is durable and in place (the store records the file's stamp). */
  placed?: () => void;
  resolve(): void;
  reject(error: unknown): void;
};

export interface CommitStats {
  /** Writes made durable. */
  writes: number;
  /** fsync rounds they took: writes / rounds is how many shared one. */
  rounds: number;
}

/**
 * Group commit for the item files (ADR 0021). A write is applied in memory at once and handed over
 * here; while one round runs, the writes that arrive meanwhile wait and go together in the next:
 * each written to a temp file and synced from the thread pool, in parallel (on ext4 the first fsync
 * commits the others' data with it); then, in arrival order, linked or renamed into place; then one
 * fsync of the folder for the whole round. The event loop never waits on the disk, and no name ever
 * points at data that is not synced.
 *
 * Rounds run one after another, so a write is never durable before one handed over earlier; each
 * writer learns its own outcome through `durable`.
 */
export class GroupCommit implements Durability {
  private queue: Entry[] = [];
  private running: Promise<void> | undefined;
  private nextSeq = 0;
  /** Outcomes not yet collected by `durable`, by sequence number. */
  private readonly outcomes = new Map<number, Promise<void>>();
  /** Files with a write handed over but not yet in place: there the disk is behind memory. */
  private readonly unplaced = new Map<string, number>();
  readonly stats: CommitStats = { writes: 0, rounds: 0 };

  constructor(
    private readonly dir: string,
    /** A write could not be made: memory is ahead of the disk there, and must read the file again. */
    private readonly failed: (path: string) => void,
  ) {}

  /** Hands a write over; the returned sequence number is what `durable` waits on. */
  add(write: Write, placed?: () => void): number {
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
    this.unplaced.set(write.path, (this.unplaced.get(write.path) ?? 0) + 1);
    this.queue.push({ ...write, seq, placed, resolve, reject });
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
      if (!outcome) continue; // already durable
      waits.push(outcome);
      const collected = () => this.outcomes.delete(seq);
      void outcome.then(collected, collected);
    }
    await Promise.all(waits);
  }

  /** True while a write of `path` is handed over but not yet in place. */
  isUnplaced(path: string): boolean {
    return this.unplaced.has(path);
  }

  /** Resolves when nothing is waiting (before a delete, which must not race a pending write). */
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
    // A round of creates only has its folder entries in place already (each name was linked when
    // handed over), so the folder is synced alongside the data instead of after it: one fsync
    // wait per round instead of two. A replacement is renamed only once its data is synced, so a
    // round holding one syncs the folder after the renames.
    const foldersFirst = round.every((entry) => entry.kind === 'create');
    const folder = foldersFirst ? syncDirectory(this.dir) : undefined;
    // Data, all in parallel: new files synced, replacements written to temp files and synced.
    const synced = await Promise.all(round.map((entry) => settle(syncData(entry))));
    // Then, in arrival order, each replacement renamed over the file it replaces.
    const failures = new Map<Entry, unknown>();
    round.forEach((entry, i) => {
      const outcome = synced[i];
      if (outcome && 'error' in outcome) {
        failures.set(entry, outcome.error);
        return;
      }
      if (!outcome?.temp || entry.kind !== 'replace') return;
      try {
        renameSync(outcome.temp, entry.path);
      } catch (error) {
        removeQuietly(outcome.temp);
        failures.set(entry, error);
      }
    });
    // The folder's entries (new links, renames) are durable only once the folder is synced.
    await (folder ?? syncDirectory(this.dir));
    this.stats.rounds++;
    this.stats.writes += round.length;
    for (const entry of round) {
      const count = (this.unplaced.get(entry.path) ?? 1) - 1;
      if (count > 0) this.unplaced.set(entry.path, count);
      else this.unplaced.delete(entry.path);
      if (failures.has(entry)) {
        this.failed(entry.path);
        entry.reject(failures.get(entry) ?? new Error(`could not write ${entry.path}`));
        continue;
      }
      entry.placed?.();
      this.outcomes.delete(entry.seq);
      entry.resolve();
    }
  }
}

/** A created file's handle synced and closed; a replacement's temp file written and synced. */
async function syncData(entry: Entry): Promise<{ temp?: string }> {
  if (entry.kind === 'replace') return { temp: await writeSyncedTemp(entry.path, entry.text) };
  await syncAndClose(entry.fd);
  return {};
}

function settle<T>(promise: Promise<T>): Promise<T | { error: unknown }> {
  return promise.catch((error: unknown) => ({ error: error ?? new Error('write failed') }));
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
