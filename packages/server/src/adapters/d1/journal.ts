import type { ActivityEntry } from '../../core/activity.js';
import type { Journal } from '../../core/ports.js';
import type { D1Database } from './d1-types.js';

/** A journal row with its sequence number, which the Worker's change stream uses as event id. */
export interface JournalRow {
  seq: number;
  entry: ActivityEntry;
}

/** The activity journal as a D1 table: append-only, newest first by sequence. */
export class D1Journal implements Journal {
  constructor(private readonly db: D1Database) {}

  async append(entry: ActivityEntry): Promise<void> {
    await this.db
      .prepare('INSERT INTO activity (at, item_id, entry) VALUES (?, ?, ?)')
      .bind(entry.at, entry.id ?? null, JSON.stringify(entry))
      .run();
  }

  async recent(options: { id?: string; limit: number }): Promise<ActivityEntry[]> {
    const limit = Math.max(0, Math.min(options.limit, 10_000));
    const statement = options.id
      ? this.db
          .prepare('SELECT entry FROM activity WHERE item_id = ? ORDER BY seq DESC LIMIT ?')
          .bind(options.id, limit)
      : this.db.prepare('SELECT entry FROM activity ORDER BY seq DESC LIMIT ?').bind(limit);
    const { results } = await statement.all<{ entry: string }>();
    return results.map((row) => JSON.parse(row.entry) as ActivityEntry);
  }

  /** Entries after `seq`, oldest first: what the change stream sends next. */
  async since(seq: number, limit: number): Promise<JournalRow[]> {
    const { results } = await this.db
      .prepare('SELECT seq, entry FROM activity WHERE seq > ? ORDER BY seq ASC LIMIT ?')
      .bind(seq, limit)
      .all<{ seq: number; entry: string }>();
    return results.map((row) => ({ seq: row.seq, entry: JSON.parse(row.entry) as ActivityEntry }));
  }

  async lastSeq(): Promise<number> {
    return (await this.db.prepare('SELECT MAX(seq) AS seq FROM activity').first<number | null>('seq')) ?? 0;
  }
}
