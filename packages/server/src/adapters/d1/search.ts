import type { Item } from '@backlog-mcp/shared';
import type { SearchHit, SearchIndex, SearchOptions, SearchResults } from '../../core/ports.js';
import { isStopWord, processTerm } from '../../search/analyze.js';
import { idCandidates } from '../../search/id-intent.js';
import type { D1Database } from './d1-types.js';

/** How many full-text candidates one query reads before the core's filter. */
const CANDIDATES = 1000;
const MAX_TERMS = 16;
/** bm25 weights per column: title, body, search_text (evidence, blocked reasons, references, labels). */
const BM25 = 'bm25(items_fts, 3.0, 1.0, 1.2)';

interface FtsRow {
  id: string;
  title: string;
  description: string;
  search_text: string;
  /** The item's labels as a JSON array, or null. */
  labels: string | null;
  rank: number;
}

/** The texts a hit's `matched_fields` are told from, in the order they are reported. */
const FIELDS = ['title', 'description', 'evidence', 'labels'] as const;

/** Lower-case, accent-free words of a query, stop words dropped. */
function queryWords(query: string): string[] {
  const words = query
    .normalize('NFKD')
    .replace(/\p{M}+/gu, '')
    .toLowerCase()
    .match(/[\p{L}\p{N}]+/gu);
  return [...new Set((words ?? []).filter((word) => !isStopWord(word)))].slice(0, MAX_TERMS);
}

function fold(text: string): string {
  return text
    .normalize('NFKD')
    .replace(/\p{M}+/gu, '')
    .toLowerCase();
}

/** Title, body, evidence (search_text without its label lines) and labels, folded, in FIELDS order. */
function fieldTexts(row: FtsRow): string[] {
  const labels = new Set<string>(row.labels ? (JSON.parse(row.labels) as string[]).map(fold) : []);
  const lines = fold(row.search_text).split('\n');
  return [
    fold(row.title),
    fold(row.description),
    lines.filter((line) => !labels.has(line)).join('\n'),
    [...labels].join('\n'),
  ];
}

/**
 * Full-text search on D1's SQLite FTS5 (porter stemming, Unicode, accents folded).
 * The FTS table is external-content over `items` and maintained by triggers in the
 * migration, so this index has nothing to keep in sync: `upsert`/`remove` are no-ops
 * and `rebuild` only asks FTS5 to re-read the table.
 *
 * There are no embeddings in the Worker (the table is too large for a free Worker),
 * so `mode` is `text`: agents see that semantic matching is off.
 */
export class D1SearchIndex implements SearchIndex {
  readonly mode = 'text';

  constructor(private readonly db: D1Database) {}

  async rebuild(_items: readonly Item[]): Promise<void> {
    await this.db.prepare("INSERT INTO items_fts (items_fts) VALUES ('rebuild')").run();
  }

  async upsert(_item: Item): Promise<void> {
    // The triggers on `items` already updated the index inside the write itself.
  }

  async remove(_id: string): Promise<void> {
    // Same: the delete trigger removed the row from the index.
  }

  async search(query: string, options: SearchOptions): Promise<SearchResults> {
    const idHits = await this.idHits(query, options);
    const words = queryWords(query);
    const textHits = words.length ? await this.match(words, true, options) : [];
    const seen = new Set(idHits.map((hit) => hit.id));
    const all = [...idHits, ...textHits.filter((hit) => !seen.has(hit.id))];
    // FTS5 ranks at most CANDIDATES rows: the total counts those (a lower bound past that).
    return { hits: all.slice(0, options.limit), total: all.length };
  }

  async related(item: Item, options: SearchOptions): Promise<SearchHit[]> {
    const words = queryWords(item.title);
    if (!words.length) return [];
    const notSelf = (id: string) => id !== item.id && (!options.filter || options.filter(id));
    return this.match(words, false, { limit: options.limit, filter: notSelf });
  }

  /** Any word may match (OR); items matching more of the words rank first, then by bm25. */
  private async match(words: string[], prefix: boolean, options: SearchOptions): Promise<SearchHit[]> {
    // Words are letters and digits only, so quoting them is a complete escape.
    const expression = words.map((word) => `"${word}"${prefix && word.length > 3 ? '*' : ''}`).join(' OR ');
    const { results } = await this.db
      .prepare(
        `SELECT items.id AS id, items.title AS title, items.description AS description,
                items.search_text AS search_text, json_extract(items.data, '$.labels') AS labels, ${BM25} AS rank
         FROM items_fts JOIN items ON items.pk = items_fts.rowid
         WHERE items_fts MATCH ? ORDER BY rank LIMIT ?`,
      )
      .bind(expression, options.exhaustive ? -1 : CANDIDATES) // SQLite: LIMIT -1 is no limit
      .all<FtsRow>();
    const stems = words.map((word) => processTerm(word) ?? word);
    const scored = results
      .filter((row) => !options.filter || options.filter(row.id))
      .map((row) => {
        const texts = fieldTexts(row);
        const matched = new Set<string>();
        const terms: string[] = [];
        stems.forEach((stem, i) => {
          let hit = false;
          texts.forEach((text, f) => {
            if (text.includes(stem)) {
              matched.add(FIELDS[f] as string);
              hit = true;
            }
          });
          if (hit) terms.push(words[i] as string);
        });
        return { row, matched, terms };
      });
    const best = Math.min(-1e-9, ...scored.map((s) => s.row.rank));
    return scored
      .map(({ row, matched, terms }) => ({
        id: row.id,
        // Coverage of the query first, then bm25 (negative: lower is better), normalised to 0..1.
        score: (Math.max(terms.length, 1) / words.length) * 0.5 + 0.5 * Math.min(1, row.rank / best),
        matched_fields: matched.size ? [...matched] : ['description'],
        terms,
      }))
      .sort((a, b) => b.score - a.score)
      .slice(0, options.limit);
  }

  /** "TASK-12", "task 12", "0012": the items those IDs name, if they exist. */
  private async idHits(query: string, options: SearchOptions): Promise<SearchHit[]> {
    const ids = idCandidates(query);
    if (!ids.length) return [];
    const { results } = await this.db
      .prepare(`SELECT id FROM items WHERE id IN (${ids.map(() => '?').join(', ')})`)
      .bind(...ids)
      .all<{ id: string }>();
    const existing = new Set(results.map((row) => row.id));
    return ids
      .filter((id) => existing.has(id) && (!options.filter || options.filter(id)))
      .map((id) => ({ id, score: 1, matched_fields: ['id'], terms: [] }));
  }
}
