import { existsSync, readFileSync } from 'node:fs';
import { mkdir, readFile, unlink } from 'node:fs/promises';
import { uptime } from 'node:os';
import { join } from 'node:path';
import { parseCanonicalId } from '@backlog-mcp/shared';
import { syncDirectory, writeFileAtomic } from './atomic-write.js';
import { type DataLayout, itemFile } from './data-layout.js';
import { hash } from './disk-mirror.js';

/**
 * What a batch (an import) is about to write, on disk before its first file: a crash part-way
 * leaves the intent behind, and the next open undoes exactly what the batch wrote. Each file is
 * named with the hash of the text the batch writes there, so a file anyone else wrote or edited
 * since is never touched.
 */
interface BatchIntent {
  pid: number;
  started_at: number;
  creates: { id: string; hash: string }[];
  updates: { id: string; hash: string; before: string }[];
}

/** Intents this process has open: another store it opens on the same folder must not undo them. */
const live = new Set<string>();

const intentPath = (layout: DataLayout) => join(layout.state, 'batch-pending.json');

/** A file the batch writes, and the text it writes there. */
export interface BatchWrite {
  id: string;
  text: string;
}

/** Durable before it returns; `end()` removes it once the batch is flushed or undone. */
export async function beginIntent(
  layout: DataLayout,
  writes: { creates: readonly BatchWrite[]; updates: readonly BatchWrite[] },
): Promise<{ end(): Promise<void> }> {
  const path = intentPath(layout);
  const intent: BatchIntent = {
    pid: process.pid,
    started_at: Date.now(),
    creates: writes.creates.map(({ id, text }) => ({ id, hash: hash(text) })),
    updates: writes.updates.map(({ id, text }) => ({
      id,
      hash: hash(text),
      before: readFileSync(itemFile(layout, id), 'utf8'),
    })),
  };
  await mkdir(layout.state, { recursive: true });
  live.add(path);
  await writeFileAtomic(path, JSON.stringify(intent));
  return { end: () => removeIntent(layout) };
}

async function removeIntent(layout: DataLayout): Promise<void> {
  const path = intentPath(layout);
  await unlink(path).catch(() => undefined);
  // A lost unlink would make the next start undo a finished import.
  syncDirectory(layout.state);
  live.delete(path);
}

/**
 * At open, before anything is read: undoes the batch a crashed process left half-done. A batch
 * whose process still runs is left alone (this is another process opening the same folder).
 */
export async function undoInterruptedBatch(layout: DataLayout, log: (line: string) => void): Promise<boolean> {
  const path = intentPath(layout);
  if (live.has(path)) return false;
  let intent: unknown;
  try {
    intent = JSON.parse(await readFile(path, 'utf8'));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') log(`backlog: ${path} cannot be read (${String(error)})`);
    return false;
  }
  // The folder may come from a clone (a file forced into git under .state/): nothing but item IDs
  // is ever a path here, so no intent can name a file outside tasks/.
  if (!isIntent(intent)) {
    log(`backlog: ${path} is not an import's intent as this server writes them; left as it is`);
    return false;
  }
  if (stillRunning(intent)) {
    log(`backlog: an import by process ${intent.pid} is under way; its files are as it left them`);
    return false;
  }
  const { undone, kept } = await undoWrites(layout, intent);
  syncDirectory(layout.tasks);
  const edited = kept.length ? `; ${kept.join(', ')} changed since and were left as they are` : '';
  log(`backlog: an import was cut off (process ${intent.pid}); undid its ${undone} file write(s)${edited}`);
  await removeIntent(layout);
  return true;
}

/** Deletes the files the batch created and restores those it rewrote, where they still hold its text. */
async function undoWrites(layout: DataLayout, intent: BatchIntent): Promise<{ undone: number; kept: string[] }> {
  const kept: string[] = [];
  let undone = 0;
  for (const { id, hash: written } of intent.creates) {
    const current = await textOf(layout, id);
    if (current === undefined) continue;
    if (hash(current) !== written) kept.push(id);
    else {
      await unlink(itemFile(layout, id));
      undone++;
    }
  }
  for (const { id, hash: written, before } of intent.updates) {
    const current = await textOf(layout, id);
    if (current !== undefined && hash(current) === written) {
      await writeFileAtomic(itemFile(layout, id), before);
      undone++;
    } else if (current !== before) kept.push(id);
  }
  return { undone, kept };
}

function isIntent(value: unknown): value is BatchIntent {
  const intent = value as Partial<BatchIntent> | null;
  const written = (entry: unknown): boolean => {
    const { id, hash } = (entry ?? {}) as { id?: unknown; hash?: unknown };
    return typeof id === 'string' && parseCanonicalId(id)?.id === id && typeof hash === 'string';
  };
  return (
    typeof intent === 'object' &&
    intent !== null &&
    Number.isSafeInteger(intent.pid) &&
    (intent.pid as number) > 0 &&
    typeof intent.started_at === 'number' &&
    Array.isArray(intent.creates) &&
    intent.creates.every(written) &&
    Array.isArray(intent.updates) &&
    intent.updates.every((entry) => written(entry) && typeof entry.before === 'string')
  );
}

function stillRunning(intent: BatchIntent): boolean {
  // A reboot since the batch began ended its process, whatever runs under that pid now; so does
  // our own pid (a container restarts its server under the same one).
  if (intent.started_at < Date.now() - uptime() * 1000 || intent.pid === process.pid) return false;
  try {
    process.kill(intent.pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function textOf(layout: DataLayout, id: string): Promise<string | undefined> {
  const file = itemFile(layout, id);
  return existsSync(file) ? readFile(file, 'utf8') : undefined;
}
