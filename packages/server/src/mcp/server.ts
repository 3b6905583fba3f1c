import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { Backlog } from '../core/backlog.js';
import { registerResources } from './resources.js';
import { registerTool, type ToolContext } from './tool.js';
import { TOOLS } from './tools/index.js';
import { installValidationMessages } from './zod-messages.js';

installValidationMessages();

export interface McpServerOptions {
  version: string;
  /** BACKLOG_ACTOR_NAME: an explicit name wins over the client's own. */
  actorName?: string;
}

const INSTRUCTIONS =
  'backlog-mcp is a shared task backlog. Workflow: backlog_list or backlog_search to find work, ' +
  'backlog_context for everything around a task, backlog_update status=in_progress when you start, ' +
  'evidence and status=done when you finish. Create follow-ups with backlog_create.';

/** Who is calling, worked out per call: the client's self-reported name is only known after initialize. */
export type ActorOf = (clientName: string | undefined) => { name?: string; session?: string };

/** The tools, resources and instructions every runtime serves; each runtime says who the actor is. */
export function buildMcpServer(backlog: Backlog, options: { version: string; actor: ActorOf }): McpServer {
  const server = new McpServer(
    { name: 'backlog-mcp', version: options.version },
    { capabilities: { tools: {}, resources: {} }, instructions: INSTRUCTIONS },
  );
  const ctx: ToolContext = {
    backlog,
    actor: (tool) => {
      const { name, session } = options.actor(server.server.getClientVersion()?.name);
      return { tool, ...(name ? { name } : {}), ...(session ? { session } : {}) };
    },
  };
  for (const tool of TOOLS) registerTool(server, tool, ctx);
  registerResources(server, backlog);
  return server;
}

/** One MCP server per session on Node; all of them share the same Backlog. */
export function createMcpServer(backlog: Backlog, options: McpServerOptions): McpServer {
  // Two sessions of the same client program must not share a claim: each server instance gets its own tag.
  const session = crypto.randomUUID().slice(0, 8);
  return buildMcpServer(backlog, {
    version: options.version,
    actor: (client) => ({ name: options.actorName ?? client, session }),
  });
}
