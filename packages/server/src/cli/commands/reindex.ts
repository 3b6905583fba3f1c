import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { MarkdownStore } from '../../adapters/files/file-store.js';
import { FileVectorCache } from '../../adapters/files/vector-cache-file.js';
import { count } from '../../mcp/render.js';
import type { Config } from '../../runtime/node/config.js';
import { loadDefaultEmbedder } from '../../runtime/node/embedder.js';
import { HybridSearchIndex } from '../../search/hybrid.js';
import { EXIT, probe, targetOf } from '../daemon.js';

/** A one-line bar on a terminal; plain log lines when stderr is a file or a pipe. */
function progressReporter(): (done: number, total: number) => void {
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
        `\r[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${done}/${count(total, 'item')}, ${rate}/s`,
      );
      if (done === total) process.stderr.write('\n');
    } else if (done === total || Date.now() - lastLine > 1000) {
      lastLine = Date.now();
      process.stderr.write(`reindex: ${done}/${count(total, 'item')}, ${rate}/s\n`);
    }
  };
}

/**
 * Rebuilds the search index and the on-disk vector cache from the files, embedding
 * everything anew. A running server keeps its own index; it reads the new cache on restart.
 */
export async function runReindex(config: Config): Promise<number> {
  const store = await MarkdownStore.open({
    dataDir: config.backlogDir,
    log: (line) => process.stderr.write(`${line}\n`),
  });
  try {
    const embedder = loadDefaultEmbedder();
    const path = join(store.layout.state, `vectors-${embedder.id}.bin`);
    await rm(path, { force: true });
    const cache = await FileVectorCache.open(path, embedder.dimensions);
    const index = new HybridSearchIndex({ embedder, cache, onProgress: progressReporter() });
    const { items } = await store.snapshot();
    const started = Date.now();
    await index.rebuild(items);
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
