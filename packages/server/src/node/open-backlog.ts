import { join } from 'node:path';
import { Backlog } from '../core/backlog.js';
import { TextSearchIndex } from '../search/text-index.js';
import { JsonlJournal } from '../storage/journal-file.js';
import { MarkdownStore } from '../storage/markdown/file-store.js';
import { createSourceReader } from './source-reader.js';

export interface NodeBacklog {
  backlog: Backlog;
  store: MarkdownStore;
  close(): void;
}

/** Wires the core to the Markdown store, the JSONL journal and the search index. */
export async function openNodeBacklog(options: {
  dataDir: string;
  log?: (line: string) => void;
  watch?: boolean;
}): Promise<NodeBacklog> {
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const store = await MarkdownStore.open({ dataDir: options.dataDir, log, watch: options.watch ?? true });
  const journal = await JsonlJournal.open(join(store.layout.state, 'activity.jsonl'), log);
  const backlog = new Backlog({
    store,
    journal,
    search: new TextSearchIndex(),
    readSource: createSourceReader(process.cwd()),
  });
  await backlog.start();
  return { backlog, store, close: () => store.close() };
}
