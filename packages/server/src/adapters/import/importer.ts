import type { ImportBatch, ImportSystem } from '../../core/import/imported-item.js';

/**
 * One importer: recognises its format at a path (a folder or a file) and reads it into an
 * ImportBatch. It reads files and nothing else: no IDs are allocated and nothing is written here.
 * A source that does not parse throws SourceError (core/import/imported-item.ts) naming the file
 * and, when known, the line.
 */
export interface Importer {
  system: ImportSystem;
  /** A few words for the CLI's help and its plan, e.g. "Backlog.md folder (backlog/)". */
  describes: string;
  /** True when `path` looks like this format (cheap: file names, a first line). */
  detect(path: string): Promise<boolean>;
  read(path: string): Promise<ImportBatch>;
}
