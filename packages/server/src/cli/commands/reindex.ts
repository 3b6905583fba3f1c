import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Item } from '@backlog-mcp/shared';
import { WorkerEncoder } from '../../adapters/encoder/worker-encoder.js';
import { MarkdownStore } from '../../adapters/files/file-store.js';
import { FileTextIndexCache, TEXT_INDEX_FILE } from '../../adapters/files/text-index-file.js';
import { FileVectorCache, staticVectorsFile } from '../../adapters/files/vector-cache-file.js';
import { count } from '../../mcp/render.js';
import type { Config } from '../../runtime/node/config.js';
import { loadDefaultEmbedder } from '../../runtime/node/embedder.js';
import { DeepVectors } from '../../search/deep-vectors.js';
import { HybridSearchIndex } from '../../search/hybrid.js';
import { EXIT, probe, targetOf } from '../daemon.js';

/** A one-line bar on a terminal; plain log lines when stderr is a file or a pipe. */
function progressReporter(what = 'reindex'): (done: number, total: number) => void {
  const tty = process.stderr.isTTY;
  const started = Date.now();
  let lastLine = 0;
  return (done, total) => {
    const seconds = (Date.now() - started) / 1000;
    const rate = seconds > 0 ? Math.round(done / seconds) : done;
    if (tty) {
      const width = 30;
      const filled = total === 0 ? width : Math.round((done / total) * width);
      process.stderr.write(
        `\r${what} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${done}/${count(total, 'item')}, ${rate}/s`,
      );
      if (done === total) process.stderr.write('\n');
    } else if (done === total || Date.now() - lastLine > 1000) {
      lastLine = Date.now();
      process.stderr.write(`${what}: ${done}/${count(total, 'item')}, ${rate}/s\n`);
    }
  };
}

/**
 * The sentence encoder's vectors for every item, anew (mode deep): ~0.1 s of CPU an item, so a bar
 * with the rate; the cache is saved every 200 vectors, so an interrupted run keeps what it did.
 */
async function encodeAll(stateDir: string, items: readonly Item[]): Promise<void> {
  const encoder = new WorkerEncoder((line) => process.stderr.write(`${line}\n`));
  try {
    const path = join(stateDir, `deep-vectors-${encoder.id}.bin`);
    await rm(path, { force: true });
    const cache = await FileVectorCache.open(path, encoder.dimensions, 'int8');
    const deep = new DeepVectors({ encoder, cache });
    const report = progressReporter('encode');
    for (const item of items) deep.track(item);
    const timer = setInterval(() => report(items.length - deep.pending, items.length), 500);
    await deep.idle();
    clearInterval(timer);
    if (encoder.state === 'off') throw new Error('the sentence encoder did not load; search stays on the static table');
    report(items.length, items.length);
    await deep.persist();
  } finally {
    await encoder.close();
  }
}

/**
 * Rebuilds the search index and the on-disk vector caches from the files, embedding (and, in mode
 * deep, encoding) everything anew. A running server keeps its own index; it reads the new caches on
 * restart.
 */
export async function runReindex(config: Config): Promise<number> {
  const store = await MarkdownStore.open({
    dataDir: config.backlogDir,
    log: (line) => process.stderr.write(`${line}\n`),
  });
  try {
    const embedder = loadDefaultEmbedder();
    const path = staticVectorsFile(store.layout.state, embedder.id);
    await rm(path, { force: true });
    const cache = await FileVectorCache.open(path, embedder.dimensions, 'int8');
    // The text index is analysed anew too, and saved for the next start.
    const textPath = join(store.layout.state, TEXT_INDEX_FILE);
    await rm(textPath, { force: true });
    const textCache = new FileTextIndexCache(textPath);
    const index = new HybridSearchIndex({ embedder, cache, textCache, onProgress: progressReporter() });
    const { items } = await store.snapshot();
    const started = Date.now();
    await index.rebuild(items);
    await index.persist();
    if (config.search === 'deep') await encodeAll(store.layout.state, items);
    process.stdout.write(
      `Reindexed ${count(items.length, 'item')} in ${((Date.now() - started) / 1000).toFixed(2)} s (${config.backlogDir})\n`,
    );
    const running = await probe(targetOf(config));
    if (running.state === 'running')
      process.stdout.write('A server is running: restart it (backlog-mcp stop) to load the new index.\n');
    return EXIT.ok;
  } finally {
    store.close();
    await store.persist().catch(() => undefined);
  }
}
