import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from '../../adapters/files/atomic-write.js';

/** What the server remembers of a backlog it has served, for the viewer's switcher, `status` and `scope: "all"`. */
export interface KnownBacklog {
  /** The backlog folder (`…/app/.backlog`, or the server's data folder), canonical. */
  dir: string;
  last_used: string;
  /** Counts when it was last open: a closed backlog is listed without being opened again. */
  counts?: { total: number; by_status: Record<string, number> };
}

const MAX_REMEMBERED = 200;

/**
 * `<data>/.state/backlogs.json`: derived and small. A lost or damaged file costs only the list of
 * closed backlogs until their bridges connect again; it never decides what a session may open.
 */
export class KnownBacklogs {
  private readonly entries = new Map<string, KnownBacklog>();
  private writing: Promise<void> = Promise.resolve();

  constructor(private readonly path: string) {}

  static load(stateDir: string): KnownBacklogs {
    const known = new KnownBacklogs(join(stateDir, 'backlogs.json'));
    try {
      const parsed = JSON.parse(readFileSync(known.path, 'utf8')) as { backlogs?: unknown };
      for (const entry of Array.isArray(parsed.backlogs) ? parsed.backlogs : []) {
        const e = entry as Partial<KnownBacklog>;
        if (typeof e.dir === 'string' && typeof e.last_used === 'string') known.entries.set(e.dir, e as KnownBacklog);
      }
    } catch {
      // missing or damaged: start an empty list
    }
    return known;
  }

  all(): KnownBacklog[] {
    return [...this.entries.values()];
  }

  get(dir: string): KnownBacklog | undefined {
    return this.entries.get(dir);
  }

  /** Records a use (and the counts, when known) and saves the list in the background. */
  remember(dir: string, counts?: KnownBacklog['counts']): void {
    const previous = this.entries.get(dir);
    this.entries.delete(dir);
    const entry: KnownBacklog = { dir, last_used: new Date().toISOString() };
    const kept = counts ?? previous?.counts;
    if (kept) entry.counts = kept;
    this.entries.set(dir, entry);
    while (this.entries.size > MAX_REMEMBERED) this.entries.delete(this.entries.keys().next().value as string);
    this.save();
  }

  forget(dir: string): void {
    if (this.entries.delete(dir)) this.save();
  }

  /** Resolves when every save asked for so far is on disk (tests, shutdown). */
  flushed(): Promise<void> {
    return this.writing;
  }

  private save(): void {
    const text = `${JSON.stringify({ backlogs: this.all() }, null, 1)}\n`;
    this.writing = this.writing.then(() => writeFileAtomic(this.path, text)).catch(() => undefined);
  }
}
