import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import {
  close,
  closeSync,
  type Dirent,
  fsync,
  fsyncSync,
  link,
  linkSync,
  open,
  openSync,
  renameSync,
  unlink,
  unlinkSync,
  write,
  writeSync,
} from 'node:fs';
import { lstat, readdir, unlink as unlinkAsync } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

/**
 * Temp files are dot-files, so a crash never leaves something that looks like an item.
 * The writer's PID is in the name, so start-up can tell a dead writer's leftovers from a live one's.
 */
function tempPathFor(path: string): string {
  return join(dirname(path), `.${basename(path)}.${process.pid}-${nextTempTag()}.tmp`);
}

/**
 * 12 hex digits, unique within this process (the PID tells processes apart): a counter from a
 * random start, since a call to the random source per write was 5 % of a create's CPU.
 */
let tempCounter = randomBytes(6).readUIntBE(0, 6);
function nextTempTag(): string {
  tempCounter = (tempCounter + 1) % 2 ** 48;
  return tempCounter.toString(16).padStart(12, '0');
}

/** `.<name>.<pid>-<12 hex>.tmp`, and the older `.<name>.<12 hex>.tmp` without a PID. */
const TEMP_FILE = /^\..+\.(?:(\d+)-)?[0-9a-f]{12}\.tmp$/;
/** A temp file of a live process is left alone unless it is this old (the PID was reused). */
const ABANDONED_MS = 60 * 60 * 1000;
/** Without a PID, only an old temp file is surely abandoned. */
const UNOWNED_MS = 60 * 1000;

function processAlive(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Removes temp files left by writers that died mid-write (a crash, SIGKILL, power loss).
 * Another live process's temp file is never touched: its rename may still be coming.
 * Returns the names removed.
 */
export async function sweepStaleTemps(
  dir: string,
  /** `names`: the folder's entries, when the caller has just listed it (saves listing a large folder twice). */
  options: { recursive?: boolean; now?: number; names?: readonly string[] } = {},
): Promise<string[]> {
  const names = options.names ?? (await listFiles(dir, options.recursive ? 16 : 0));
  const now = options.now ?? Date.now();
  const removed: string[] = [];
  for (const name of names) {
    const match = TEMP_FILE.exec(basename(name));
    if (!match) continue;
    const file = join(dir, name);
    const info = await lstat(file).catch(() => undefined);
    if (!info?.isFile()) continue;
    const age = now - info.mtimeMs;
    const pid = match[1] === undefined ? undefined : Number(match[1]);
    const stale = pid === undefined ? age > UNOWNED_MS : !processAlive(pid) || age > ABANDONED_MS;
    if (!stale) continue;
    await unlinkAsync(file).then(
      () => removed.push(name),
      () => undefined,
    );
  }
  return removed;
}

/*
 * The write path below is synchronous on purpose. Writes are serialised by the store anyway, and
 * each of the nine calls of a durable write is a few microseconds of kernel work plus an fsync;
 * sent through libuv's thread pool every call also pays a round trip (measured: 1.0 ms per
 * create asynchronously, 0.4 ms synchronously). Readers wait at most those 0.4 ms.
 */

function writeDurably(path: string, content: string | Uint8Array, sync = true): void {
  const fd = openSync(path, 'wx', 0o644);
  try {
    writeAll(fd, typeof content === 'string' ? Buffer.from(content, 'utf8') : content);
    if (sync) fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

function writeAll(fd: number, bytes: Uint8Array): void {
  for (let done = 0; done < bytes.byteLength; ) done += writeSync(fd, bytes, done, bytes.byteLength - done);
}

/** Replaces `path` with `content` all at once: readers see the old file or the new one, never half. */
export async function writeFileAtomic(path: string, content: string | Uint8Array): Promise<void> {
  const temp = tempPathFor(path);
  try {
    writeDurably(temp, content);
    renameSync(temp, path);
  } catch (error) {
    removeQuietly(temp);
    throw error;
  }
  syncDirectory(dirname(path));
}

/**
 * Creates `path` with `content` only if it does not exist yet, atomically: a hard
 * link of a complete temp file either lands or fails with EEXIST.
 * Returns false when the name was already taken.
 */
export async function createFileExclusive(path: string, content: string): Promise<boolean> {
  const temp = tempPathFor(path);
  writeDurably(temp, content);
  try {
    linkSync(temp, path);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  } finally {
    removeQuietly(temp);
    syncDirectory(dirname(path));
  }
}

/**
 * createFileExclusive's first half, from the thread pool: the name is claimed (or refused: false)
 * with the complete content already behind it, so no reader and no kill ever sees a torn file. Not
 * yet synced: the open descriptor goes to a group commit, which syncs it before anyone is answered.
 * Callback calls, not FileHandle promises: a third less work on the event loop per call (measured).
 */
export async function linkUnsynced(path: string, content: string): Promise<number | false> {
  const temp = tempPathFor(path);
  const fd = await fsCall<number>((done) => open(temp, 'wx', 0o644, done));
  try {
    await writeWhole(fd, content);
    await fsCall<void>((done) => link(temp, path, done));
    return fd;
  } catch (error) {
    close(fd, ignore);
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  } finally {
    unlink(temp, ignore); // nobody waits on it: a leftover is a dot-file the next start sweeps
  }
}

/** Syncs and closes a descriptor from linkUnsynced. */
export async function syncAndClose(fd: number): Promise<void> {
  try {
    await fsCall<void>((done) => fsync(fd, done));
  } finally {
    close(fd, ignore);
  }
}

/**
 * A temp file beside `path` holding `content`, synced, written from the thread pool: the event loop
 * never waits on the disk (creating a file there took 0.7 ms while fsyncs ran, measured). Removed
 * again if anything fails. Group commit (group-commit.ts) then renames it into place.
 */
export async function writeSyncedTemp(path: string, content: string): Promise<string> {
  const temp = tempPathFor(path);
  const fd = await fsCall<number>((done) => open(temp, 'wx', 0o644, done));
  try {
    await writeWhole(fd, content);
    await fsCall<void>((done) => fsync(fd, done));
  } catch (error) {
    unlink(temp, ignore);
    throw error;
  } finally {
    close(fd, ignore);
  }
  return temp;
}

async function writeWhole(fd: number, content: string): Promise<void> {
  const bytes = Buffer.from(content, 'utf8');
  for (let at = 0; at < bytes.byteLength; ) {
    at += await fsCall<number>((done) => write(fd, bytes, at, bytes.byteLength - at, null, done));
  }
}

function fsCall<T>(start: (done: (error: NodeJS.ErrnoException | null, value?: T) => void) => void): Promise<T> {
  return new Promise((resolve, reject) => {
    start((error, value) => (error ? reject(error) : resolve(value as T)));
  });
}

function ignore(): void {}

/**
 * createFileExclusive for a batch (an import of thousands of items): the same all-or-nothing
 * visibility, but no fsync per file. Two fsyncs per file were 80% of an import's time; the
 * caller makes the whole batch durable at once with syncFiles when every file is written.
 */
export function createFileExclusiveUnsynced(path: string, content: string): boolean {
  const temp = tempPathFor(path);
  writeDurably(temp, content, false);
  try {
    linkSync(temp, path);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  } finally {
    removeQuietly(temp);
  }
}

/**
 * Makes files written without fsync durable, then their folders. On ext4 and most journalling
 * file systems the first fsync commits the data of every file written before it, so the rest
 * find nothing left to flush: thousands of files cost about one fsync.
 */
export function syncFiles(paths: readonly string[]): void {
  const dirs = [...new Set(paths.map((path) => dirname(path)))];
  // Linux: one syncfs(2) for the whole file system (coreutils' `sync -f`), ~0.1 s for 3,000 files,
  // where an fsync per file costs ~0.3 ms each even with nothing left to flush (measured).
  if (paths.length > 100 && process.platform === 'linux' && dirs.every(syncFileSystem)) return;
  for (const path of paths) {
    let fd: number;
    try {
      fd = openSync(path, 'r');
    } catch {
      continue; // removed since (an undo): nothing to keep
    }
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  }
  for (const dir of dirs) syncDirectory(dir);
}

function syncFileSystem(dir: string): boolean {
  return spawnSync('sync', ['-f', dir], { stdio: 'ignore', timeout: 120_000 }).status === 0;
}

export function removeQuietly(path: string): void {
  try {
    unlinkSync(path);
  } catch {
    // already gone, or never created
  }
}

/** Names under `dir`, relative to it; never follows a symlink (a link to `..` would loop forever). */
async function listFiles(dir: string, depth: number, prefix = ''): Promise<string[]> {
  let entries: Dirent[];
  try {
    entries = await readdir(join(dir, prefix), { withFileTypes: true });
  } catch {
    return [];
  }
  const names: string[] = [];
  for (const entry of entries) {
    const name = prefix ? join(prefix, entry.name) : entry.name;
    if (entry.isDirectory() && depth > 0) names.push(...(await listFiles(dir, depth - 1, name)));
    else if (entry.isFile()) names.push(name);
  }
  return names;
}

/** A rename or an unlink is only durable once its directory entry is on disk. */
export function syncDirectory(dir: string): void {
  let fd: number;
  try {
    fd = openSync(dir, 'r');
  } catch {
    return;
  }
  try {
    fsyncSync(fd);
  } catch {
    // Some file systems refuse fsync on directories; the rename itself is still atomic.
  } finally {
    closeSync(fd);
  }
}
