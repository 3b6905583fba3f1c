import { type Item, STATUSES } from '@backlog-mcp/shared';
import { type McpServer, ResourceTemplate } from '@modelcontextprotocol/sdk/server/mcp.js';
import {
  ErrorCode,
  ListResourcesRequestSchema,
  type ListResourcesResult,
  McpError,
} from '@modelcontextprotocol/sdk/types.js';
import type { Backlog } from '../core/backlog.js';
import { newestFirst } from '../core/list.js';
import { itemUri } from '../core/uri.js';
import { encodeItemForResource } from './resource-text.js';

/** The session's briefing (issue 18): listed first, before the items. */
export const BRIEFING_URI = 'mcp://backlog/briefing';

/** Items per resources/list page: ~100 KB of JSON; 10,000 items are ten pages. */
export const RESOURCE_PAGE_SIZE = 1000;

/** Items are readable as resources under the same URIs write_resource edits. */
export function registerResources(server: McpServer, backlog: Backlog, agentOf: () => string | undefined): void {
  server.registerResource(
    'briefing',
    BRIEFING_URI,
    {
      title: 'Backlog briefing',
      description: 'Where things stand, in ~600 tokens: your claims, work in progress, ready work, blockers, news',
      mimeType: 'text/plain',
    },
    async (uri) => {
      const { text } = await backlog.briefing({ agent: agentOf() });
      return { contents: [{ uri: uri.href, mimeType: 'text/plain', text }] };
    },
  );
  server.registerResource(
    'item',
    // Listed by the paginated handler below, not by the template.
    new ResourceTemplate('mcp://backlog/tasks/{id}.md', { list: undefined }),
    {
      title: 'Backlog item',
      description: 'An item as its Markdown file (front matter and body)',
      mimeType: 'text/markdown',
    },
    async (uri) => {
      const { items } = await backlog.get([itemIdOf(uri.href)]);
      const item = items[0];
      if (!item) throw new Error(`No item at ${uri.href}`);
      return { contents: [{ uri: uri.href, mimeType: 'text/markdown', text: encodeItemForResource(item) }] };
    },
  );
  server.registerResource(
    'document',
    new ResourceTemplate('mcp://backlog/resources/{+path}', { list: undefined }),
    { title: 'Backlog document', description: 'A free-standing document under resources/', mimeType: 'text/markdown' },
    async (uri) => {
      const { text } = await backlog.readResource(uri.href);
      return { contents: [{ uri: uri.href, mimeType: 'text/markdown', text }] };
    },
  );
  // The SDK's own resources/list neither reads a cursor nor returns one, so it could only answer
  // everything at once (10,000 items: ~1 MB) or a truncated list. Every item, whatever its status,
  // is a resource: this handler pages through all of them.
  server.server.removeRequestHandler('resources/list');
  server.server.setRequestHandler(ListResourcesRequestSchema, (request) =>
    listItemResources(backlog, request.params?.cursor),
  );
}

type Key = Pick<Item, 'id' | 'updated_at'>;

/**
 * One page of items, newest first (the order of backlog_list). The cursor is the position after
 * the last item sent (its updated_at and ID), not an offset: items created, updated or deleted
 * during a walk shift no other item, so none is skipped or repeated. An item updated during a
 * walk moves to the front: never listed twice, and if the walk had not reached it yet, it is
 * the first of the next walk.
 */
export async function listItemResources(backlog: Backlog, cursor: string | undefined): Promise<ListResourcesResult> {
  const after = cursor === undefined ? undefined : decodeCursor(cursor);
  const { items } = await backlog.list({ status: [...STATUSES], limit: Number.MAX_SAFE_INTEGER });
  // The list is sorted by newestFirst: the first item that sorts after the cursor starts the page.
  let start = 0;
  if (after) {
    let end = items.length;
    while (start < end) {
      const mid = (start + end) >>> 1;
      const item = items[mid] as Item;
      // newestFirst never answers 0, even for an item and itself: the cursor's own item is not after it.
      const same = item.id === after.id && item.updated_at === after.updated_at;
      if (!same && newestFirst(after as Item, item) < 0) end = mid;
      else start = mid + 1;
    }
  }
  const page = items.slice(start, start + RESOURCE_PAGE_SIZE);
  const last = page.at(-1);
  const briefing = { uri: BRIEFING_URI, name: 'Backlog briefing', mimeType: 'text/plain' };
  return {
    resources: [
      ...(after ? [] : [briefing]),
      ...page.map((item) => ({ uri: itemUri(item.id), name: `${item.id}: ${item.title}`, mimeType: 'text/markdown' })),
    ],
    ...(last && start + page.length < items.length ? { nextCursor: encodeCursor(last) } : {}),
  };
}

// btoa/atob, not Buffer: this module also runs in the Worker. IDs and timestamps are ASCII.
function encodeCursor(key: Key): string {
  return btoa(JSON.stringify([key.updated_at, key.id]));
}

function decodeCursor(cursor: string): Key {
  try {
    const [updated_at, id] = JSON.parse(atob(cursor)) as unknown[];
    if (typeof updated_at === 'string' && typeof id === 'string') return { updated_at, id };
  } catch {
    // falls through to the error
  }
  throw new McpError(ErrorCode.InvalidParams, 'cursor: not a cursor this server returned; list again without one');
}

function itemIdOf(uri: string): string {
  return /\/tasks\/([^/]+)\.md$/.exec(uri)?.[1] ?? '';
}
