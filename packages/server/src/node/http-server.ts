import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import type { Config } from '../config.js';
import { createApp } from '../http/app.js';
import { createMcpServer } from '../mcp/server.js';
import { VERSION } from '../version.js';
import { openNodeBacklog } from './open-backlog.js';
import { createStaticViewer, viewerDir } from './static-viewer.js';

export interface RunningServer {
  port: number;
  url: string;
  close(): Promise<void>;
}

/** Starts the persistent HTTP server: MCP over Streamable HTTP, the API and the viewer. */
export async function startHttpServer(config: Config, log: (line: string) => void): Promise<RunningServer> {
  const started = Date.now();
  const node = await openNodeBacklog({ dataDir: config.dataDir, log });
  const { app, mcp } = createApp({
    backlog: node.backlog,
    version: VERSION,
    makeMcpServer: () => createMcpServer(node.backlog, { version: VERSION, actorName: config.actorName }),
    viewer: createStaticViewer(viewerDir()),
    health: async () => ({
      data_dir: config.dataDir,
      task_count: await node.backlog.count(),
      uptime_seconds: Math.round((Date.now() - started) / 1000),
      sessions: mcp.sessionCount(),
      search_mode: node.backlog.searchMode,
      skipped_files: node.store.listProblems().size,
    }),
  });
  const server = await new Promise<ReturnType<typeof serve>>((resolve, reject) => {
    const s = serve({ fetch: app.fetch, port: config.port, hostname: config.host }, () => resolve(s));
    s.once('error', reject);
  });
  const port = (server.address() as AddressInfo).port;
  const url = `http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${port}`;
  return {
    port,
    url,
    async close() {
      await mcp.closeAll();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      node.close();
    },
  };
}
