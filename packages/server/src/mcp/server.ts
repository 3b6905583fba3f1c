import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { Across } from '../core/across.js';
import type { Backlog } from '../core/backlog.js';
import { registerBriefingPrompt } from './prompts.js';
import { registerResources } from './resources.js';
import { registerTool, type ToolCaller, type ToolContext, toolCaller } from './tool.js';
import { TOOLS } from './tools/index.js';
import { installValidationMessages } from './zod-messages.js';

installValidationMessages();

export interface McpServerOptions {
  version: string;
  /** BACKLOG_ACTOR_NAME: an explicit name wins over the client's own. */
  actorName?: string;
  /** Every backlog the server knows, for `scope: "all"`. */
  across?: Across;
  /** The folder this session's backlog belongs to, said in the instructions so the agent knows where it writes. */
  project?: string;
}

const INSTRUCTIONS =
  'backlog-mcp is a shared task backlog. Workflow: backlog_list or backlog_search to find work, ' +
  'backlog_context for everything around a task, backlog_update status=in_progress when you start, ' +
  'evidence and status=done when you finish. Create follow-ups with backlog_create. ' +
  'At the start of a session, read the resource mcp://backlog/briefing (or the prompt "briefing"): your claims, ready work and news in ~600 tokens.';

/** Who is calling, worked out per call: the client's self-reported name is only known after initialize. */
export type ActorOf = (clientName: string | undefined) => { name?: string; session?: string };

const callers = new WeakMap<McpServer, ToolCaller>();

/** The direct `tools/call` path of a server built here (tool.ts, `toolCaller`). */
export function toolCallerOf(server: McpServer): ToolCaller | undefined {
  return callers.get(server);
}

/** The tools, resources and instructions every runtime serves; each runtime says who the actor is. */
export function buildMcpServer(
  backlog: Backlog,
  options: { version: string; actor: ActorOf; across?: Across; project?: string },
): McpServer {
  const instructions = options.project
    ? `${INSTRUCTIONS} This session's backlog is the project ${options.project}; scope="all" on backlog_list and backlog_search looks in every project.`
    : INSTRUCTIONS;
  const server = new McpServer(
    { name: 'backlog-mcp', version: options.version },
    { capabilities: { tools: {}, resources: {}, prompts: {} }, instructions },
  );
  const ctx: ToolContext = {
    backlog,
    ...(options.across ? { across: options.across } : {}),
    actor: (tool) => {
      const { name, session } = options.actor(server.server.getClientVersion()?.name);
      return { tool, ...(name ? { name } : {}), ...(session ? { session } : {}) };
    },
  };
  for (const tool of TOOLS) registerTool(server, tool, ctx);
  callers.set(server, toolCaller(TOOLS, ctx));
  const agentOf = () => options.actor(server.server.getClientVersion()?.name).name;
  registerResources(server, backlog, agentOf);
  registerBriefingPrompt(server, backlog, agentOf);
  return server;
}

/** One MCP server per session on Node; all of them share the same Backlog. */
export function createMcpServer(backlog: Backlog, options: McpServerOptions): McpServer {
  // Two sessions of the same client program must not share a claim: each server instance gets its own tag.
  const session = crypto.randomUUID().slice(0, 8);
  return buildMcpServer(backlog, {
    version: options.version,
    actor: (client) => ({ name: options.actorName ?? client, session }),
    ...(options.across ? { across: options.across } : {}),
    ...(options.project ? { project: options.project } : {}),
  });
}
