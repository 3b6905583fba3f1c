import { type McpServer, ResourceTemplate } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { Backlog } from '../core/backlog.js';
import { itemUri } from '../core/uri.js';
import { encodeItemForResource } from './resource-text.js';

/** Items are readable as resources under the same URIs write_resource edits. */
export function registerResources(server: McpServer, backlog: Backlog): void {
  server.registerResource(
    'item',
    new ResourceTemplate('mcp://backlog/tasks/{id}.md', {
      list: async () => {
        const { items } = await backlog.list({ limit: 1000 });
        return {
          resources: items.map((item) => ({
            uri: itemUri(item.id),
            name: `${item.id}: ${item.title}`,
            mimeType: 'text/markdown',
          })),
        };
      },
    }),
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
}

function itemIdOf(uri: string): string {
  return /\/tasks\/([^/]+)\.md$/.exec(uri)?.[1] ?? '';
}
