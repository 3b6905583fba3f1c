import { randomBytes } from 'node:crypto';
import { link, open, rename, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

/** Temp files are dot-files, so a crash never leaves something that looks like an item. */
function tempPathFor(path: string): string {
  return join(dirname(path), `.${basename(path)}.${randomBytes(6).toString('hex')}.tmp`);
}

async function writeDurably(path: string, content: string | Uint8Array): Promise<void> {
  const handle = await open(path, 'wx', 0o644);
  try {
    await handle.writeFile(content);
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** Replaces `path` with `content` all at once: readers see the old file or the new one, never half. */
export async function writeFileAtomic(path: string, content: string | Uint8Array): Promise<void> {
  const temp = tempPathFor(path);
  try {
    await writeDurably(temp, content);
    await rename(temp, path);
  } catch (error) {
    await unlink(temp).catch(() => undefined);
    throw error;
  }
  await syncDirectory(dirname(path));
}

/**
 * Creates `path` with `content` only if it does not exist yet, atomically: a hard
 * link of a complete temp file either lands or fails with EEXIST.
 * Returns false when the name was already taken.
 */
export async function createFileExclusive(path: string, content: string): Promise<boolean> {
  const temp = tempPathFor(path);
  await writeDurably(temp, content);
  try {
    await link(temp, path);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  } finally {
    await unlink(temp).catch(() => undefined);
    await syncDirectory(dirname(path));
  }
}

/** A rename is only durable once its directory entry is on disk. */
async function syncDirectory(dir: string): Promise<void> {
  const handle = await open(dir, 'r').catch(() => undefined);
  if (!handle) return;
  try {
    await handle.sync();
  } catch {
    // Some file systems refuse fsync on directories; the rename itself is still atomic.
  } finally {
    await handle.close();
  }
}
