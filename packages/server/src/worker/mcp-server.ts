import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { Backlog } from '../core/backlog.js';
import type { StatelessSession } from '../http/mcp-stateless.js';
import { registerResources } from '../mcp/resources.js';
import { registerTool, type ToolContext } from '../mcp/tool.js';
import { TOOLS } from '../mcp/tools/index.js';
import { installValidationMessages } from '../mcp/zod-messages.js';
import type { Principal } from './auth/guard.js';

installValidationMessages();

// Same text as mcp/server.ts; see the ADR: the Worker builds its server here because the
// caller's identity comes from the signed session id, not from an in-memory session.
const INSTRUCTIONS =
  'backlog-mcp is a shared task backlog. Workflow: backlog_list or backlog_search to find work, ' +
  'backlog_context for everything around a task, backlog_update status=in_progress when you start, ' +
  'evidence and status=done when you finish. Create follow-ups with backlog_create.';

/**
 * The same tools and resources as on Node, for one stateless request. The actor is the
 * explicit BACKLOG_ACTOR_NAME, else the MCP client's name from its session, else the
 * signed-in subject; the session tag keeps claims per MCP session across requests.
 */
export function createWorkerMcpServer(
  backlog: Backlog,
  options: { version: string; actorName?: string; session?: StatelessSession; principal?: Principal },
): McpServer {
  const server = new McpServer(
    { name: 'backlog-mcp', version: options.version },
    { capabilities: { tools: {}, resources: {} }, instructions: INSTRUCTIONS },
  );
  const name = options.actorName ?? options.session?.client ?? options.principal?.subject;
  const tag = options.session?.tag;
  const ctx: ToolContext = {
    backlog,
    actor: (tool) => ({ tool, ...(name ? { name } : {}), ...(tag ? { session: tag } : {}) }),
  };
  for (const tool of TOOLS) registerTool(server, tool, ctx);
  registerResources(server, backlog);
  return server;
}
