import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { Backlog } from '../../core/backlog.js';
import { buildMcpServer } from '../../mcp/server.js';
import type { Principal } from './guard.js';
import type { StatelessSession } from './mcp-endpoint.js';

/**
 * The same tools, resources and instructions as on Node, for one stateless request. The caller's
 * identity comes from the signed session id, not from an in-memory session: the actor is the
 * explicit BACKLOG_ACTOR_NAME, else the MCP client's name from its session, else the signed-in
 * subject; the session tag keeps claims per MCP session across requests.
 */
export function createWorkerMcpServer(
  backlog: Backlog,
  options: { version: string; actorName?: string; session?: StatelessSession; principal?: Principal },
): McpServer {
  const name = options.actorName ?? options.session?.client ?? options.principal?.subject;
  const session = options.session?.tag;
  return buildMcpServer(backlog, { version: options.version, actor: () => ({ name, session }) });
}
