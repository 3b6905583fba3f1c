import type { D1Database } from '../../adapters/d1/d1-types.js';
import { D1Journal } from '../../adapters/d1/journal.js';
import { D1SearchIndex } from '../../adapters/d1/search.js';
import { D1Store } from '../../adapters/d1/store.js';
import { Backlog } from '../../core/backlog.js';
import { SearchCursors } from '../../core/paging.js';

/** Search cursors outlive the request that made them only within this isolate (ADR 0018). */
const searchCursors = new SearchCursors();

/** The Worker's backlog: the same core over D1 (store, full-text index, journal); one per request. */
export function openWorkerBacklog(db: D1Database): Backlog {
  return new Backlog({
    store: new D1Store(db),
    search: new D1SearchIndex(db),
    journal: new D1Journal(db),
    searchCursors,
  });
}
