import { constants } from 'node:fs';
import { type FileHandle, open } from 'node:fs/promises';
import { resolve } from 'node:path';
import { invalid } from '../../core/errors.js';
import { LIMITS } from '../../core/limits.js';
import type { SourceReader } from '../../core/ports.js';

/**
 * Reads `source_path` for backlog_create: a regular text file of bounded size,
 * relative paths resolved against `baseDir` (the server's working directory).
 *
 * The file is opened once and every check is made on that handle, so it cannot be
 * swapped for a pipe or a device between the check and the read; O_NONBLOCK keeps a
 * FIFO from hanging the open, and at most the limit (plus one byte) is ever read, even
 * from files whose size the system does not report (such as those under /proc).
 */
export function createSourceReader(baseDir: string): SourceReader {
  return async (path: string) => {
    if (path.includes('\u0000')) throw invalid('source_path', 'a file path without NUL characters', path);
    const file = resolve(baseDir, path);
    let handle: FileHandle;
    try {
      handle = await open(file, constants.O_RDONLY | constants.O_NONBLOCK);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code ?? 'error';
      throw invalid('source_path', 'a readable file', path, `It could not be opened (${code}).`);
    }
    try {
      const info = await handle.stat();
      if (!info.isFile()) throw invalid('source_path', 'a regular file (not a folder, device or pipe)', path);
      const limit = LIMITS.sourceFileBytes;
      if (info.size > limit) {
        throw invalid('source_path', `a file of at most ${limit} bytes`, path, `It has ${info.size} bytes.`);
      }
      const buffer = Buffer.alloc(limit + 1);
      let length = 0;
      for (;;) {
        const { bytesRead } = await handle.read(buffer, length, buffer.length - length, length);
        if (bytesRead === 0) break;
        length += bytesRead;
        if (length > limit) {
          throw invalid('source_path', `a file of at most ${limit} bytes`, path, 'It has more.');
        }
      }
      if (length > info.size) {
        // A kernel pseudo-file (/proc, /sys) claims a size it does not have: not a document.
        throw invalid('source_path', 'a regular file on disk', path, 'It is a system pseudo-file.');
      }
      const text = buffer.subarray(0, length).toString('utf8');
      if (text.includes('\u0000')) throw invalid('source_path', 'a text file', path, 'It looks binary.');
      return text;
    } finally {
      await handle.close();
    }
  };
}
