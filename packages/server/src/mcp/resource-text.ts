import type { Item } from '@backlog-mcp/shared';
import { encodeItem } from '../format/item-markdown.js';

/** An item's resource text is exactly its file: one format for people, git and agents. */
export function encodeItemForResource(item: Item): string {
  return encodeItem(item);
}
