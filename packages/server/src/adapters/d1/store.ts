import { formatId, type Item, parseCanonicalId, TYPE_PREFIX } from '@backlog-mcp/shared';
import { conflict, invalid, notFound } from '../../core/errors.js';
import type { Snapshot, Store } from '../../core/ports.js';
import type { D1Database } from './d1-types.js';
import { decodeRow, encodeData, type ItemRow, searchText } from './rows.js';

const ITEM_COLUMNS = 'id, description, data';
/** Newest update first; ties by the numeric ID, never by the ID as text. */
const NEWEST_FIRST = 'ORDER BY updated_at DESC, num DESC, type DESC';
/** Collisions can only come from rows inserted by hand behind the counter's back. */
const MAX_ALLOCATION_ATTEMPTS = 20;

/**
 * Allocates the next sequence of a prefix in one atomic statement. The counter starts
 * above any row already present (a database filled by hand or an import) and never goes
 * down, so a deleted ID is never handed out again.
 */
const ALLOCATE = `
INSERT INTO id_counters (prefix, last)
VALUES (?1, COALESCE((SELECT MAX(num) FROM items WHERE type = ?2), 0) + 1)
ON CONFLICT (prefix) DO UPDATE
  SET last = MAX(last, COALESCE((SELECT MAX(num) FROM items WHERE type = ?2), 0)) + 1
RETURNING last`;

/**
 * The Store port on Cloudflare D1.
 *
 * One instance serves one request (a Worker keeps no state between requests), so
 * `snapshot()` loads every row once per request and keeps it until this instance
 * writes. That is right for a personal backlog (hundreds to a few thousand items);
 * it is a full table read per request that uses a snapshot, not an index scan.
 *
 * Writes are conditional on the version the core read (`version = new - 1`), so two
 * isolates updating the same item at once cannot silently overwrite each other.
 */
export class D1Store implements Store {
  private current: Snapshot | undefined;

  constructor(private readonly db: D1Database) {}

  async snapshot(): Promise<Snapshot> {
    if (this.current) return this.current;
    const { results } = await this.db.prepare(`SELECT ${ITEM_COLUMNS} FROM items ${NEWEST_FIRST}`).all<ItemRow>();
    const items = results.map(decodeRow);
    this.current = { items, byId: new Map(items.map((item) => [item.id, item])) };
    return this.current;
  }

  async get(id: string): Promise<Item | undefined> {
    if (this.current) return this.current.byId.get(id);
    const row = await this.db.prepare(`SELECT ${ITEM_COLUMNS} FROM items WHERE id = ?`).bind(id).first<ItemRow>();
    return row ? decodeRow(row) : undefined;
  }

  async create(type: Item['type'], build: (id: string) => Item): Promise<Item> {
    const prefix = TYPE_PREFIX[type];
    for (let attempt = 0; attempt < MAX_ALLOCATION_ATTEMPTS; attempt++) {
      const seq = await this.db.prepare(ALLOCATE).bind(prefix, type).first<number>('last');
      if (typeof seq !== 'number') throw new Error('D1 returned no sequence for the new ID');
      const item = build(formatId(type, seq));
      const inserted = await this.db
        .prepare(
          `INSERT INTO items (id, type, num, title, status, description, search_text, data, version, created_at, updated_at)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING`,
        )
        .bind(...rowValues(item, seq))
        .run();
      // D1 counts the rows the FTS triggers touched too: any change means the row went in.
      if ((inserted.meta.changes ?? 0) > 0) {
        this.current = undefined;
        return item;
      }
    }
    throw conflict(`Could not allocate a free ${prefix} ID; the id_counters table is behind the items table.`);
  }

  async save(item: Item): Promise<void> {
    const result = await this.db
      .prepare(
        `UPDATE items SET title = ?, status = ?, description = ?, search_text = ?, data = ?, version = ?, updated_at = ?
         WHERE id = ? AND version = ?`,
      )
      .bind(...contentValues(item), item.updated_at, item.id, item.version - 1)
      .run();
    this.current = undefined;
    if ((result.meta.changes ?? 0) > 0) return;
    const now = await this.db.prepare('SELECT version FROM items WHERE id = ?').bind(item.id).first<number>('version');
    if (now === null) throw notFound('id', item.id);
    throw conflict(
      `if_version: ${item.id} changed while this write was in flight (now at version ${now}). ` +
        'Re-read it (backlog_get) and retry.',
      'if_version',
    );
  }

  async remove(id: string): Promise<void> {
    const parsed = parseCanonicalId(id);
    if (!parsed) throw invalid('id', 'a canonical item ID', id);
    // Raise the counter and delete in one transaction, so the ID is retired for good.
    await this.db.batch([
      this.db
        .prepare(
          'INSERT INTO id_counters (prefix, last) VALUES (?1, ?2) ON CONFLICT (prefix) DO UPDATE SET last = MAX(last, ?2)',
        )
        .bind(TYPE_PREFIX[parsed.type], parsed.seq),
      this.db.prepare('DELETE FROM items WHERE id = ?').bind(id),
    ]);
    this.current = undefined;
  }

  async readDocument(path: string): Promise<string | undefined> {
    const content = await this.db
      .prepare('SELECT content FROM documents WHERE path = ?')
      .bind(path)
      .first<string>('content');
    return content ?? undefined;
  }

  async writeDocument(path: string, content: string): Promise<void> {
    const result = await this.db
      .prepare('UPDATE documents SET content = ?, updated_at = ? WHERE path = ?')
      .bind(content, new Date().toISOString(), path)
      .run();
    if ((result.meta.changes ?? 0) === 0) throw invalid('uri', 'an existing document in the documents table', path);
  }
}

/** The columns a save rewrites: title, status, description, search_text, data, version. */
function contentValues(item: Item): unknown[] {
  return [item.title, item.status, item.description, searchText(item), encodeData(item), item.version];
}

function rowValues(item: Item, seq: number): unknown[] {
  return [item.id, item.type, seq, ...contentValues(item), item.created_at, item.updated_at];
}
