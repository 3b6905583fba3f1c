-- backlog-mcp on Cloudflare D1: items, ID counters, documents, the activity journal and full-text search.
-- Apply with: npx wrangler d1 execute backlog --remote --file=migrations/0001_initial.sql

-- One row per item. `num` is the numeric part of the ID, so ordering never compares IDs as text
-- (TASK-10000 sorts after TASK-9999). `data` holds every field as JSON except the body;
-- title, status, body and `search_text` (evidence, blocked reasons, references) are columns
-- because the full-text index reads them.
CREATE TABLE IF NOT EXISTS items (
  pk INTEGER PRIMARY KEY,
  id TEXT NOT NULL UNIQUE,
  type TEXT NOT NULL,
  num INTEGER NOT NULL,
  title TEXT NOT NULL,
  status TEXT NOT NULL,
  description TEXT NOT NULL DEFAULT '',
  search_text TEXT NOT NULL DEFAULT '',
  data TEXT NOT NULL,
  version INTEGER NOT NULL,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS items_by_update ON items (updated_at DESC, num DESC);
CREATE INDEX IF NOT EXISTS items_by_type_num ON items (type, num);

-- The highest sequence ever handed out per ID prefix. Allocation is one atomic
-- UPSERT ... RETURNING; deleting an item never lowers it, so IDs are never reused.
CREATE TABLE IF NOT EXISTS id_counters (
  prefix TEXT PRIMARY KEY,
  last INTEGER NOT NULL
);

-- Free-standing documents (mcp://backlog/resources/<path>); write_resource edits existing ones only.
CREATE TABLE IF NOT EXISTS documents (
  path TEXT PRIMARY KEY,
  content TEXT NOT NULL,
  updated_at TEXT NOT NULL
);

-- The activity journal; `seq` doubles as the event id of the viewer's change stream.
CREATE TABLE IF NOT EXISTS activity (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  at TEXT NOT NULL,
  item_id TEXT,
  entry TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS activity_by_item ON activity (item_id, seq);

-- Full-text search over the items table (external content), kept in sync by the
-- triggers below and nothing else, so the index can never drift from the rows.
CREATE VIRTUAL TABLE IF NOT EXISTS items_fts USING fts5(
  title,
  description,
  search_text,
  content = 'items',
  content_rowid = 'pk',
  tokenize = 'porter unicode61 remove_diacritics 2'
);

CREATE TRIGGER IF NOT EXISTS items_fts_insert AFTER INSERT ON items BEGIN
  INSERT INTO items_fts (rowid, title, description, search_text)
  VALUES (new.pk, new.title, new.description, new.search_text);
END;

CREATE TRIGGER IF NOT EXISTS items_fts_delete AFTER DELETE ON items BEGIN
  INSERT INTO items_fts (items_fts, rowid, title, description, search_text)
  VALUES ('delete', old.pk, old.title, old.description, old.search_text);
END;

CREATE TRIGGER IF NOT EXISTS items_fts_update AFTER UPDATE ON items BEGIN
  INSERT INTO items_fts (items_fts, rowid, title, description, search_text)
  VALUES ('delete', old.pk, old.title, old.description, old.search_text);
  INSERT INTO items_fts (rowid, title, description, search_text)
  VALUES (new.pk, new.title, new.description, new.search_text);
END;
