import type { Item } from '@backlog-mcp/shared';
import MiniSearch, { type SearchResult } from 'minisearch';
import type { SearchHit, SearchIndex, SearchOptions } from '../core/ports.js';

interface IndexedDoc {
  id: string;
  title: string;
  description: string;
  evidence: string;
  blocked_reason: string;
  references: string;
}

const FIELDS = ['title', 'description', 'evidence', 'blocked_reason', 'references'] as const;

function toDoc(item: Item): IndexedDoc {
  return {
    id: item.id,
    title: item.title,
    description: item.description,
    evidence: (item.evidence ?? []).join('\n'),
    blocked_reason: (item.blocked_reason ?? []).join('\n'),
    references: (item.references ?? []).map((r) => `${r.title ?? ''} ${r.url}`).join('\n'),
  };
}

/** Full-text search (BM25 via MiniSearch), kept in step with every write. */
export class TextSearchIndex implements SearchIndex {
  readonly mode = 'text';
  private index = TextSearchIndex.empty();

  private static empty(): MiniSearch<IndexedDoc> {
    return new MiniSearch<IndexedDoc>({
      fields: [...FIELDS],
      idField: 'id',
      searchOptions: {
        boost: { title: 3 },
        // Typo tolerance and prefixes cost time per term; short terms get neither.
        prefix: (term) => term.length > 2,
        fuzzy: (term) => (term.length > 4 ? 0.2 : false),
        combineWith: 'OR',
      },
    });
  }

  async rebuild(items: readonly Item[]): Promise<void> {
    this.index = TextSearchIndex.empty();
    this.index.addAll(items.map(toDoc));
  }

  async upsert(item: Item): Promise<void> {
    if (this.index.has(item.id)) this.index.discard(item.id);
    this.index.add(toDoc(item));
  }

  async remove(id: string): Promise<void> {
    if (this.index.has(id)) this.index.discard(id);
  }

  async search(query: string, options: SearchOptions): Promise<SearchHit[]> {
    const results = this.index.search(
      query,
      options.filter ? { filter: (r) => options.filter?.(String(r.id)) ?? true } : {},
    );
    return results.slice(0, options.limit).map(toHit);
  }

  async related(item: Item, options: SearchOptions): Promise<SearchHit[]> {
    const results = this.index.search(item.title, {
      prefix: false,
      fuzzy: false,
      filter: (r) => r.id !== item.id && (options.filter?.(String(r.id)) ?? true),
    });
    return results.slice(0, options.limit).map(toHit);
  }
}

function toHit(result: SearchResult): SearchHit {
  const fields = new Set<string>();
  for (const matched of Object.values(result.match)) for (const field of matched) fields.add(field);
  return { id: String(result.id), score: result.score, matched_fields: [...fields], terms: result.terms };
}
