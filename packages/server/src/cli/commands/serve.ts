import { type Config, isLoopbackHost } from '../../runtime/node/config.js';
import { PortInUseError, type RunningServer, startHttpServer } from '../../runtime/node/http-server.js';
import { EXIT, probe, targetOf } from '../daemon.js';
import { serverLog } from '../log.js';
import { viewerLink } from './status.js';

/** `serve`: the HTTP server in the foreground (also what the bridge starts in the background). */
export async function runServe(config: Config): Promise<number> {
  let server: RunningServer | undefined;
  let stopping = false;
  const stop = (): void => {
    if (stopping) return;
    stopping = true;
    const force = setTimeout(() => process.exit(0), 5000);
    force.unref();
    void (server?.close() ?? Promise.resolve()).finally(() => process.exit(0));
  };
  for (const warning of config.warnings ?? []) serverLog(`warning: ${warning}`);
  if (!isLoopbackHost(config.host)) {
    serverLog(
      `warning: listening on ${config.host}, beyond this machine: anyone who can reach it can use this backlog`,
    );
  }
  try {
    server = await startHttpServer(config, serverLog, { onShutdownRequest: stop });
  } catch (error) {
    if (error instanceof PortInUseError) {
      const running = await probe(targetOf(config));
      const message =
        running.state === 'running'
          ? `A backlog-mcp server (version ${running.version}) already runs on port ${config.port}. ` +
            'Use it, stop it with "backlog-mcp stop", or choose another port with BACKLOG_VIEWER_PORT.'
          : error.message;
      process.stderr.write(`backlog-mcp: ${message}\n`);
      return EXIT.failure;
    }
    throw error;
  }
  serverLog(`backlog-mcp ${server.version} (PID ${process.pid}) serving ${config.dataDir}`);
  serverLog(`Viewer: ${viewerLink(server.url, server.token)}`);
  serverLog(`MCP endpoint: ${server.url}/mcp`);
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  return -1;
}
