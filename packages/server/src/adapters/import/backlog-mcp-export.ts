import { open, readFile, stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { Item } from '@backlog-mcp/shared';
import { type ImportBatch, type ImportedItem, SourceError } from '../../core/import/imported-item.js';
import { decodeItem, encodeItem } from '../../format/item-markdown.js';
import { dropDanglingLinks, itemToImported } from './backlog-mcp-item.js';
import type { Importer } from './importer.js';

/**
 * Our own exports: `json` is `{ format: "backlog-mcp-export", version: 1, exported_at, items: Item[] }`;
 * `jsonl` is that header without `items` on the first line, then one Item per line. Each item goes
 * through our codec (encoded, then decoded) so an export is held to exactly what a file on disk
 * would be, and nothing the codec keeps is lost.
 */

const FORMAT = 'backlog-mcp-export';
const VERSION = 1;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The start of the file, read in one piece: detect must stay cheap on a big export. */
async function head(file: string): Promise<string> {
  const handle = await open(file, 'r');
  try {
    const buffer = Buffer.alloc(64 * 1024);
    const { bytesRead } = await handle.read(buffer, 0, buffer.length, 0);
    return buffer.subarray(0, bytesRead).toString('utf8').trimStart();
  } finally {
    await handle.close();
  }
}

async function detect(path: string): Promise<boolean> {
  try {
    if (!/\.jsonl?$/i.test(path) || !(await stat(path)).isFile()) return false;
    const start = await head(path);
    if (/\.jsonl$/i.test(path)) {
      const end = start.indexOf('\n');
      return isHeader(JSON.parse(end < 0 ? start : start.slice(0, end)));
    }
    // The exporter writes `format` before `items`, so the start of the file settles it; a file
    // written with another key order is parsed whole (slower, still right).
    if (new RegExp(`^\\{[^\\[{]*"format"\\s*:\\s*"${FORMAT}"`).test(start)) return true;
    return isHeader(JSON.parse(await readFile(path, 'utf8')));
  } catch {
    return false;
  }
}

function isHeader(value: unknown): value is Record<string, unknown> {
  return isRecord(value) && value.format === FORMAT;
}

function checkHeader(file: string, header: unknown, line: number): string {
  if (!isHeader(header)) throw new SourceError(file, `not a backlog-mcp export (format is not "${FORMAT}")`, line);
  if (header.version !== VERSION) {
    throw new SourceError(file, `export version ${String(header.version)} is not supported (only ${VERSION})`, line);
  }
  return typeof header.exported_at === 'string' ? header.exported_at : new Date(0).toISOString();
}

function parseJson(file: string, text: string, lineOffset: number): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const position = /position (\d+)/.exec(message);
    const inner = position ? text.slice(0, Number(position[1])).split('\n').length : 1;
    throw new SourceError(file, `invalid JSON: ${message}`, lineOffset + inner);
  }
}

/** An exported item, checked by our codec; its ID is the file-name ID the codec would compare with. */
function decodeExported(file: string, raw: unknown, exportedAt: string, line: number | undefined): Item {
  if (!isRecord(raw) || typeof raw.id !== 'string' || typeof raw.title !== 'string') {
    throw new SourceError(file, 'an item without a string id and title', line);
  }
  const candidate = {
    ...raw,
    description: typeof raw.description === 'string' ? raw.description : '',
    version: typeof raw.version === 'number' ? raw.version : 1,
  } as Item;
  let text: string;
  try {
    text = encodeItem(candidate);
  } catch (error) {
    throw new SourceError(file, `item ${raw.id}: ${error instanceof Error ? error.message : String(error)}`, line);
  }
  const result = decodeItem(text, raw.id, exportedAt);
  if (!result.ok) throw new SourceError(file, `item ${raw.id}: ${result.error}`, line);
  return result.item;
}

/** The line of `"id": "<id>"` in a pretty-printed export, to point at a refused item. */
function lineOfId(text: string, id: string): number | undefined {
  const index = text.search(new RegExp(`"id"\\s*:\\s*${JSON.stringify(id).replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
  return index < 0 ? undefined : text.slice(0, index).split('\n').length;
}

function readJson(file: string, text: string): Item[] {
  const document = parseJson(file, text, 0);
  const exportedAt = checkHeader(file, document, 1);
  const items = (document as Record<string, unknown>).items;
  if (!Array.isArray(items)) throw new SourceError(file, 'the export has no "items" list');
  return items.map((raw) => {
    const id = isRecord(raw) && typeof raw.id === 'string' ? raw.id : undefined;
    return decodeExported(file, raw, exportedAt, id ? lineOfId(text, id) : undefined);
  });
}

function readJsonl(file: string, text: string): Item[] {
  const lines = text.split('\n');
  const headerIndex = lines.findIndex((line) => line.trim() !== '');
  if (headerIndex < 0) throw new SourceError(file, 'the export is empty');
  const exportedAt = checkHeader(file, parseJson(file, lines[headerIndex] as string, headerIndex), headerIndex + 1);
  const items: Item[] = [];
  for (let index = headerIndex + 1; index < lines.length; index++) {
    const line = (lines[index] as string).trim();
    if (!line) continue;
    items.push(decodeExported(file, parseJson(file, line, index), exportedAt, index + 1));
  }
  return items;
}

async function read(path: string): Promise<ImportBatch> {
  const file = resolve(path);
  const text = await readFile(file, 'utf8');
  const decoded = /\.jsonl$/i.test(file) ? readJsonl(file, text) : readJson(file, text);
  const warnings: string[] = [];
  const items: ImportedItem[] = [];
  const seen = new Set<string>();
  for (const item of decoded) {
    if (seen.has(item.id)) {
      warnings.push(`${item.id} appears more than once; the first one is imported`);
      continue;
    }
    seen.add(item.id);
    items.push(itemToImported(item, item.id, item.id));
  }
  warnings.push(...dropDanglingLinks(items));
  return { system: 'backlog-mcp', label: `backlog-mcp export ${file}`, items, warnings };
}

export const backlogMcpExportImporter: Importer = {
  system: 'backlog-mcp',
  describes: 'backlog-mcp export (.json or .jsonl)',
  detect,
  read,
};
