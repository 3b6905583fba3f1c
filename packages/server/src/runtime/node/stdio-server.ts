import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { createMcpServer } from '../../mcp/server.js';
import { openNodeBacklog } from './backlog.js';
import type { Config } from './config.js';
import { VERSION } from './version.js';

/** MCP straight over stdio, no HTTP server: for containers and sandboxes. */
export async function runStdioServer(config: Config, log: (line: string) => void): Promise<void> {
  const node = await openNodeBacklog({ dataDir: config.backlogDir, log, search: config.search });
  const version = config.versionOverride ?? VERSION;
  const server = createMcpServer(node.backlog, { version, actorName: config.actorName });
  // A client that goes away closes our stdout; that is a normal end, not a crash.
  process.stdout.on('error', () => process.exit(0));
  process.stdin.on('end', () => process.exit(0));
  const transport = new StdioServerTransport();
  transport.onclose = () => node.close();
  await server.connect(transport);
}
