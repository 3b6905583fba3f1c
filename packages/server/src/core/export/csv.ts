import type { Item } from '@backlog-mcp/shared';

/** The spreadsheet's columns, in order; lists are joined with "; ". */
const COLUMNS: readonly [string, (item: Item) => string | undefined][] = [
  ['id', (i) => i.id],
  ['type', (i) => i.type],
  ['status', (i) => i.status],
  ['title', (i) => i.title],
  ['priority', (i) => i.priority],
  ['labels', (i) => i.labels?.join('; ')],
  ['parent_id', (i) => i.parent_id],
  ['epic_id', (i) => i.epic_id],
  ['blocked_by', (i) => i.blocked_by?.join('; ')],
  ['due_date', (i) => i.due_date],
  ['assignee', (i) => i.assignee],
  ['created_at', (i) => i.created_at],
  ['updated_at', (i) => i.updated_at],
  ['references', (i) => i.references?.map((r) => r.url).join('; ')],
  ['evidence', (i) => i.evidence?.join('; ')],
  ['description', (i) => i.description],
];

/**
 * RFC 4180: a field with a comma, quote or line break is quoted, quotes doubled. A cell that a
 * spreadsheet would run as a formula (=, +, -, @, tab, carriage return first) gets a leading
 * apostrophe: an agent's title must not become code in someone's spreadsheet.
 */
export function csvField(value: string | undefined): string {
  let text = value ?? '';
  if (/^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

export function toCsv(items: readonly Item[]): string {
  const lines = [COLUMNS.map(([name]) => name).join(',')];
  for (const item of items) lines.push(COLUMNS.map(([, get]) => csvField(get(item))).join(','));
  return `${lines.join('\r\n')}\r\n`;
}
