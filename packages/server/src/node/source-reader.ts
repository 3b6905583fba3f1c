import { readFile, stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { invalid } from '../core/errors.js';
import { LIMITS } from '../core/limits.js';
import type { SourceReader } from '../core/ports.js';

/**
 * Reads `source_path` for backlog_create: a regular text file of bounded size,
 * relative paths resolved against `baseDir` (the server's working directory).
 */
export function createSourceReader(baseDir: string): SourceReader {
  return async (path: string) => {
    const file = resolve(baseDir, path);
    let info: Awaited<ReturnType<typeof stat>>;
    try {
      info = await stat(file);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code ?? 'error';
      throw invalid('source_path', 'a readable file', path, `It could not be opened (${code}).`);
    }
    if (!info.isFile()) throw invalid('source_path', 'a regular file (not a folder, device or pipe)', path);
    if (info.size > LIMITS.descriptionBytes) {
      throw invalid(
        'source_path',
        `a file of at most ${LIMITS.descriptionBytes} bytes`,
        path,
        `It has ${info.size} bytes.`,
      );
    }
    const text = await readFile(file, 'utf8');
    if (text.includes('\u0000')) throw invalid('source_path', 'a text file', path, 'It looks binary.');
    return text;
  };
}
