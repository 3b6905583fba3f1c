import { existsSync } from 'node:fs';
import { rename, writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { EXPORT_FORMATS, type ExportFormat, exportItems } from '../../core/export/formats.js';
import type { Config } from '../../runtime/node/config.js';
import { EXIT } from '../daemon.js';

class UsageError extends Error {}

function parse(argv: string[]): { format: ExportFormat; output?: string } {
  const { values, positionals } = parseArgs({
    args: argv,
    options: { format: { type: 'string', short: 'f' }, output: { type: 'string', short: 'o' } },
    strict: true,
    allowPositionals: true,
  });
  if (positionals.length > 0) throw new UsageError(`unexpected argument "${positionals[0]}"`);
  const format = (values.format ?? 'json') as ExportFormat;
  if (!EXPORT_FORMATS.includes(format)) {
    throw new UsageError(`--format: expected one of ${EXPORT_FORMATS.join(', ')}, received "${values.format}"`);
  }
  return { format, ...(values.output ? { output: values.output } : {}) };
}

/**
 * `export [--format json|jsonl|csv|markdown] [--output FILE]`: every item of this folder's
 * backlog, read from its files (a running server changes nothing here: the files are the truth).
 * To a file, written whole and then renamed, so a failed export never leaves half a file.
 */
export async function runExport(argv: string[], loadConfig: () => Config): Promise<number> {
  try {
    const { format, output } = parse(argv);
    const config = loadConfig();
    if (!existsSync(config.backlogDir))
      throw new Error(`no backlog at ${config.backlogDir} yet (run "backlog-mcp init")`);
    const { openBacklogForReading } = await import('../../runtime/node/backlog.js');
    const reader = await openBacklogForReading(config.backlogDir, (line) => process.stderr.write(`${line}\n`));
    let text: string;
    let count: number;
    try {
      const items = await reader.backlog.allItems();
      count = items.length;
      text = exportItems(items, format, { exported_at: new Date().toISOString(), backlog: config.backlogDir });
    } finally {
      await reader.close();
    }
    if (!output) {
      process.stdout.write(text);
      return EXIT.ok;
    }
    const path = resolve(output);
    await writeFile(`${path}.partial`, text, 'utf8');
    await rename(`${path}.partial`, path);
    process.stderr.write(`Exported ${count} items from ${config.backlogDir} to ${path} (${format}).\n`);
    return EXIT.ok;
  } catch (error) {
    process.stderr.write(`backlog-mcp export: ${error instanceof Error ? error.message : String(error)}\n`);
    return error instanceof UsageError ? EXIT.usage : EXIT.toolError;
  }
}
