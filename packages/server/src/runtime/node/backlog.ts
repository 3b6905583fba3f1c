import { join } from 'node:path';
import { MarkdownStore } from '../../adapters/files/file-store.js';
import { JsonlJournal } from '../../adapters/files/journal-file.js';
import { createSourceReader } from '../../adapters/files/source-reader.js';
import { FileTextIndexCache, TEXT_INDEX_FILE } from '../../adapters/files/text-index-file.js';
import { FileVectorCache, staticVectorsFile } from '../../adapters/files/vector-cache-file.js';
import { Backlog } from '../../core/backlog.js';
import type { SearchIndex } from '../../core/ports.js';
import { DeepVectors } from '../../search/deep-vectors.js';
import type { Embedder } from '../../search/embedder/static-embedder.js';
import { HybridSearchIndex } from '../../search/hybrid.js';
import type { SearchMode } from './config.js';
import { loadDefaultEmbedder, sharedSentenceEncoder } from './embedder.js';

export interface NodeBacklog {
  backlog: Backlog;
  store: MarkdownStore;
  search: HybridSearchIndex;
  close(): Promise<void>;
}

/**
 * Both caches are rewritten whole (MBs at 10k items, tens of MBs at 100k), so not often: what a
 * crash loses costs the next start only reading and embedding the items changed since (µs each).
 */
const PERSIST_EVERY_MS = 5 * 60_000;

/** The shipped model, or nothing: search then runs text-only and says so once, never crashes. */
function tryLoadEmbedder(log: (line: string) => void): Embedder | undefined {
  try {
    return loadDefaultEmbedder();
  } catch (error) {
    log(`backlog: semantic search is off (the embedding table did not load: ${String(error)}); using text search only`);
    return undefined;
  }
}

/** Wires the core to the Markdown store, the JSONL journal and the hybrid search index. */
export async function openNodeBacklog(options: {
  dataDir: string;
  log?: (line: string) => void;
  watch?: boolean;
  /**
   * `deep` adds the sentence encoder (a long-running server only: a one-shot command would pay
   * its load and never finish encoding); default `hybrid`.
   */
  search?: SearchMode;
  /** Where a relative `source_path` is read from: the project's folder; default the working folder. */
  sourceBase?: string;
}): Promise<NodeBacklog> {
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const store = await MarkdownStore.open({ dataDir: options.dataDir, log, watch: options.watch ?? true });
  const journal = await JsonlJournal.open(join(store.layout.state, 'activity.jsonl'), log);
  const embedder = options.search === 'text' ? undefined : tryLoadEmbedder(log);
  const cache = embedder
    ? await FileVectorCache.open(staticVectorsFile(store.layout.state, embedder.id), embedder.dimensions, 'int8')
    : undefined;
  const deep = embedder && options.search === 'deep' ? await openDeepVectors(store.layout.state, log) : undefined;
  const textCache = new FileTextIndexCache(join(store.layout.state, TEXT_INDEX_FILE));
  const search = new HybridSearchIndex({ embedder, cache, log, deep, textCache });
  const backlog = new Backlog({
    store,
    journal,
    search,
    readSource: createSourceReader(options.sourceBase ?? process.cwd()),
  });
  await backlog.start();
  // Now that outside changes are followed: files edited while no server ran are read in as such.
  void store
    .verifyDeferred()
    .catch((error: unknown) => log(`backlog: could not check the cached files: ${String(error)}`));
  // Derived caches only: losing the last few seconds of them costs a little start-up time, never data.
  const timer = setInterval(() => {
    void search.persist().catch((error: unknown) => log(`backlog: could not save the search caches: ${String(error)}`));
    void store.persist().catch((error: unknown) => log(`backlog: could not save the load cache: ${String(error)}`));
  }, PERSIST_EVERY_MS);
  timer.unref();
  return {
    backlog,
    store,
    search,
    close: async () => {
      clearInterval(timer);
      store.close();
      await Promise.all([search.close().catch(() => undefined), store.persist().catch(() => undefined)]);
    },
  };
}

/** The sentence encoder's vectors for one backlog, cached by content hash in `.state/`. */
async function openDeepVectors(stateDir: string, log: (line: string) => void): Promise<DeepVectors> {
  const encoder = sharedSentenceEncoder(log);
  const cache = await FileVectorCache.open(
    join(stateDir, `deep-vectors-${encoder.id}.bin`),
    encoder.dimensions,
    'int8',
  );
  return new DeepVectors({ encoder, cache, log });
}

/** A search index for read-only commands that never search (the briefing): keeps start-up to the store's load. */
const NO_SEARCH: SearchIndex = {
  mode: 'off',
  rebuild: async () => undefined,
  upsert: async () => undefined,
  remove: async () => undefined,
  search: async () => ({ hits: [], total: 0 }),
  related: async () => [],
};

/**
 * The backlog's items and journal without an index, a watcher or a start-up reconciliation: for a
 * command that only reads (`brief` with no server running). Nothing is written to the journal.
 */
export async function openBacklogForReading(
  dataDir: string,
  log: (line: string) => void,
): Promise<{ backlog: Backlog; close(): Promise<void> }> {
  const store = await MarkdownStore.open({ dataDir, log, watch: false });
  const journal = await JsonlJournal.open(join(store.layout.state, 'activity.jsonl'), log);
  const backlog = new Backlog({ store, journal, search: NO_SEARCH });
  return { backlog, close: async () => store.close() };
}
