import type { Item } from '@backlog-mcp/shared';

/** An `items` row as D1 returns it. */
export interface ItemRow {
  id: string;
  description: string;
  data: string;
}

/**
 * What the full-text index reads besides title and body: evidence, blocked reasons, references and
 * labels (one per line, so a search can tell a label line from the rest). Labels share this column
 * rather than getting their own, which would need a new FTS table and migration.
 */
export function searchText(item: Item): string {
  return [
    ...(item.evidence ?? []),
    ...(item.blocked_reason ?? []),
    ...(item.references ?? []).map((ref) => `${ref.title ?? ''} ${ref.url}`.trim()),
    ...(item.labels ?? []),
  ].join('\n');
}

/** Every field but the body, as JSON: the body has its own column for the full-text index. */
export function encodeData(item: Item): string {
  const { description: _body, ...rest } = item;
  return JSON.stringify(rest);
}

export function decodeRow(row: ItemRow): Item {
  const data = JSON.parse(row.data) as Omit<Item, 'description'>;
  return { ...data, id: row.id, description: row.description };
}
