import { contentHash } from './content-hash.js';
import { BacklogError, invalid } from './errors.js';

/**
 * Paging cursors (ADR 0018). A cursor is opaque to clients: base64url of a small JSON that
 * carries a version, the kind of page it continues, a fingerprint of the filters it was made
 * for, and where to go on. List cursors hold the sort key of the last item returned (stateless:
 * the same on Node and the Worker); search cursors name a ranked snapshot kept in memory.
 */
export const PAGING = {
  /** Longest cursor the tools accept (a list cursor is ~150 characters, a search cursor ~100). */
  cursorLength: 512,
  /** Search snapshots kept at once per store (per open backlog on Node, per isolate on the Worker). */
  maxSearchCursors: 256,
  /** A search snapshot is forgotten this long after it was last used. */
  searchCursorTtlMs: 15 * 60 * 1000,
  /** Hits held by all snapshots of a store together (~25 bytes each: the IDs are the index's own strings). */
  maxHeldHits: 1_000_000,
} as const;

const VERSION = 1;

/** A search cursor whose snapshot this store no longer holds (expired, evicted, another isolate or process). */
export function expiredCursor(): BacklogError {
  return new BacklogError(
    'invalid',
    'cursor: expired or unknown: run the search again without cursor (a search cursor is kept 15 minutes after its last use).',
    'cursor',
  );
}

/** The sort key of the last item a list page returned: newest first, or ready order. */
export type ListKey = { u: string; i: string } | { p: string; c: string; i: string };

export type CursorBody =
  | { v: typeof VERSION; k: 'list'; f: string; key: ListKey }
  | { v: typeof VERSION; k: 'search'; f: string; s: string; o: number };

/** Distributes a stable hash over the filter arguments, so a cursor can be tied to the question asked. */
export function fingerprint(args: Record<string, unknown>): string {
  // 53 bits tell filter sets apart; not a security boundary (the filters are the caller's own).
  return contentHash(canonical(args));
}

/** JSON with sorted keys and sorted lists (status order does not change the answer); undefined keys dropped. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).sort().join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(',')}}`;
  }
  return JSON.stringify(value ?? null);
}

export function encodeCursor(body: CursorBody): string {
  const bytes = new TextEncoder().encode(JSON.stringify(body));
  let binary = '';
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary).replaceAll('+', '-').replaceAll('/', '_').replace(/=+$/, '');
}

const garbage = (raw: string) =>
  invalid(
    'cursor',
    'the next_cursor of an earlier page of this tool',
    raw,
    'Pass next_cursor unchanged, or call again without cursor to start over.',
  );

/**
 * Reads a cursor this server made for `kind` with filters whose fingerprint is `expected`.
 * Anything else is refused naming `cursor`, before any work is done.
 */
export function decodeCursor<K extends CursorBody['k']>(
  raw: string,
  kind: K,
  expected: string,
): Extract<CursorBody, { k: K }> {
  if (raw.length > PAGING.cursorLength || !/^[A-Za-z0-9_-]+$/.test(raw)) throw garbage(raw);
  let body: unknown;
  try {
    const binary = atob(raw.replaceAll('-', '+').replaceAll('_', '/'));
    body = JSON.parse(
      new TextDecoder('utf-8', { fatal: true }).decode(Uint8Array.from(binary, (c) => c.charCodeAt(0))),
    );
  } catch {
    throw garbage(raw);
  }
  if (!isBody(body) || body.k !== kind) throw garbage(raw);
  if (body.f !== expected) {
    throw new BacklogError(
      'invalid',
      'cursor: made for other filters than these; repeat the first call’s filters with it (only limit may change between pages), or start over without cursor.',
      'cursor',
    );
  }
  return body as Extract<CursorBody, { k: K }>;
}

/**
 * `scope: "all"` merges several backlogs' pages by rank; no cursor can resume that merge, so
 * it pages nothing: a cursor there is refused, and no next_cursor is given.
 */
export function refuseCursorAcross(cursor: string | undefined): void {
  if (cursor !== undefined) {
    throw invalid(
      'cursor',
      'no cursor with scope "all" (pages of all projects cannot be resumed)',
      cursor,
      'Page one project at a time (scope "project"), or raise limit.',
    );
  }
}

const isText = (value: unknown, max = 64): value is string => typeof value === 'string' && value.length <= max;

function isBody(body: unknown): body is CursorBody {
  if (!body || typeof body !== 'object') return false;
  const b = body as Record<string, unknown>;
  if (b.v !== VERSION || !isText(b.f)) return false;
  if (b.k === 'search') return isText(b.s) && Number.isInteger(b.o) && (b.o as number) > 0;
  if (b.k !== 'list' || !b.key || typeof b.key !== 'object') return false;
  const key = b.key as Record<string, unknown>;
  if (!isText(key.i)) return false;
  return 'u' in key ? isText(key.u) : ['high', 'medium', 'low'].includes(key.p as string) && isText(key.c);
}

/** One search's ranked hits, kept so later pages read the order the first page saw. */
export interface SearchSnapshot {
  fingerprint: string;
  ids: string[];
  scores: number[];
  /** Per hit, an index into `fieldSets` (few distinct combinations: each kept once). */
  fields: number[];
  fieldSets: string[][];
  /** Every query term any hit matched, for snippets of later pages. */
  terms: string[];
  total: number;
  search_mode: string;
  /**
   * Whether `ids` holds every match. A relevance search first keeps the engine's best candidates
   * (a few hundred); a page that reaches their end ranks every match once and appends the rest.
   */
  complete: boolean;
}

/**
 * Bounded, in-memory search snapshots: at most `max`, least recently used dropped first, each
 * forgotten `ttlMs` after its last use. IDs and scores only; items are read fresh for each page.
 */
export class SearchCursors {
  private readonly entries = new Map<string, { snapshot: SearchSnapshot; expires: number }>();

  constructor(
    private readonly max: number = PAGING.maxSearchCursors,
    private readonly ttlMs: number = PAGING.searchCursorTtlMs,
    private readonly clock: () => number = Date.now,
    private readonly maxHits: number = PAGING.maxHeldHits,
  ) {}

  get size(): number {
    return this.entries.size;
  }

  put(snapshot: SearchSnapshot): string {
    this.sweep();
    while (this.entries.size >= this.max) {
      const oldest = this.entries.keys().next().value;
      if (oldest === undefined) break;
      this.entries.delete(oldest);
    }
    const token = randomToken();
    this.entries.set(token, { snapshot, expires: this.clock() + this.ttlMs });
    return token;
  }

  /** The snapshot, refreshed as most recently used; undefined once expired or evicted. */
  get(token: string): SearchSnapshot | undefined {
    const entry = this.entries.get(token);
    if (!entry) return undefined;
    this.entries.delete(token);
    if (entry.expires <= this.clock()) return undefined;
    entry.expires = this.clock() + this.ttlMs;
    this.entries.set(token, entry);
    return entry.snapshot;
  }

  /**
   * Keeps the hits held within budget after `token`'s snapshot was made or grew: the least
   * recently used others go first (the one in use stays, however large).
   */
  fit(token: string): void {
    let held = 0;
    for (const entry of this.entries.values()) held += entry.snapshot.ids.length;
    for (const [other, entry] of this.entries) {
      if (held <= this.maxHits) return;
      if (other === token) continue;
      held -= entry.snapshot.ids.length;
      this.entries.delete(other);
    }
  }

  private sweep(): void {
    const now = this.clock();
    for (const [token, entry] of this.entries) if (entry.expires <= now) this.entries.delete(token);
  }
}

function randomToken(): string {
  const bytes = new Uint8Array(12);
  crypto.getRandomValues(bytes);
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}
