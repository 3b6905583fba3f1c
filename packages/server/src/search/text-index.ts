import type { Item } from '@backlog-mcp/shared';
import MiniSearch, { type SearchResult } from 'minisearch';
import type { SearchHit, SearchOptions } from '../core/ports.js';
import { processTerm, tokenize } from './analyze.js';

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

/**
 * BM25 full-text search (MiniSearch) over title, body, evidence, blocked reasons and
 * references, title weighted higher. The ID is not a text field: boosting it made
 * "task" match everything; ID intent is handled before text matching instead.
 */
export class TextIndex {
  private index = TextIndex.empty();

  private static empty(): MiniSearch<IndexedDoc> {
    return new MiniSearch<IndexedDoc>({
      fields: [...FIELDS],
      idField: 'id',
      tokenize,
      processTerm,
      searchOptions: {
        boost: { title: 3, evidence: 1.2 },
        // Typo tolerance and prefixes cost time per term; short terms get neither.
        prefix: (term) => term.length > 3,
        fuzzy: (term) => (term.length > 4 ? 0.2 : false),
        combineWith: 'OR',
        weights: { fuzzy: 0.6, prefix: 0.5 },
      },
    });
  }

  get size(): number {
    return this.index.documentCount;
  }

  rebuild(items: readonly Item[]): void {
    this.index = TextIndex.empty();
    this.index.addAll(items.map(toDoc));
  }

  upsert(item: Item): void {
    if (this.index.has(item.id)) this.index.discard(item.id);
    this.index.add(toDoc(item));
  }

  remove(id: string): void {
    if (this.index.has(id)) this.index.discard(id);
  }

  search(query: string, options: SearchOptions): SearchHit[] {
    const filter = options.filter;
    const results = this.index.search(query, filter ? { filter: (r) => filter(String(r.id)) } : {});
    return results.slice(0, options.limit).map(toHit);
  }

  /** Exact words only: for "related items" a fuzzy match is noise. */
  searchExact(query: string, options: SearchOptions): SearchHit[] {
    const filter = options.filter;
    const results = this.index.search(query, {
      prefix: false,
      fuzzy: false,
      ...(filter ? { filter: (r: SearchResult) => filter(String(r.id)) } : {}),
    });
    return results.slice(0, options.limit).map(toHit);
  }
}

function toHit(result: SearchResult): SearchHit {
  const fields = new Set<string>();
  for (const matched of Object.values(result.match)) for (const field of matched) fields.add(field);
  return {
    id: String(result.id),
    score: result.score,
    matched_fields: [...fields],
    terms: result.queryTerms ?? result.terms,
  };
}
