import type { Item } from '@backlog-mcp/shared';
import { toCsv } from './csv.js';
import { toMarkdown } from './markdown.js';

/**
 * `backlog-mcp export`: every item with every field. json and jsonl are ours to read back
 * (`import` recognises them by `format`), csv is for spreadsheets, markdown for people.
 */
export const EXPORT_FORMATS = ['json', 'jsonl', 'csv', 'markdown'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

export const EXPORT_FORMAT_NAME = 'backlog-mcp-export';
export const EXPORT_VERSION = 1;

export interface ExportHeader {
  format: typeof EXPORT_FORMAT_NAME;
  version: typeof EXPORT_VERSION;
  exported_at: string;
  /** Where the items came from: the backlog folder. */
  backlog?: string;
}

/** Oldest first by ID within a type, so two exports of the same backlog are byte-identical. */
export function exportOrder(items: readonly Item[]): Item[] {
  return [...items].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

export function exportItems(
  items: readonly Item[],
  format: ExportFormat,
  header: Omit<ExportHeader, 'format' | 'version'>,
): string {
  const ordered = exportOrder(items);
  const head: ExportHeader = { format: EXPORT_FORMAT_NAME, version: EXPORT_VERSION, ...header };
  switch (format) {
    case 'json':
      return `${JSON.stringify({ ...head, items: ordered }, null, 2)}\n`;
    case 'jsonl':
      return `${[head, ...ordered].map((line) => JSON.stringify(line)).join('\n')}\n`;
    case 'csv':
      return toCsv(ordered);
    case 'markdown':
      return toMarkdown(ordered, head);
  }
}
