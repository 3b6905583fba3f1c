import { BACKLOG_DIR_HEADER } from '../../runtime/node/backlog-location.js';
import type { Config } from '../../runtime/node/config.js';
import { DaemonError, ensureServer, refusedTokenMessage, refusesToken, targetOf, tokenForServer } from '../daemon.js';
import { bridgeLog } from '../log.js';
import { refuseOverStdio } from '../transport/refusing-bridge.js';
import { StdioHttpBridge } from '../transport/stdio-http-bridge.js';
import { DEFAULT_BACKOFF, Supervisor } from '../transport/supervisor.js';

const SOURCE_SAYS = {
  env: 'pinned by BACKLOG_DATA_DIR',
  project: 'the nearest .backlog/ above the working folder',
  global: 'no .backlog/ above the working folder: the global backlog',
} as const;

/** The default command: ensure the shared server runs, then bridge stdio to its /mcp. */
export async function runBridge(config: Config, version: string): Promise<number> {
  const log = bridgeLog(config.dataDir);
  const target = targetOf(config);
  try {
    const ensured = await ensureServer(config, version, log);
    log(
      `Bridge ${version} → server ${ensured.version} on port ${target.port} (${ensured.action}); ` +
        `backlog ${config.backlogDir} (${SOURCE_SAYS[config.backlogSource]})`,
    );
    if (await refusesToken(target, tokenForServer(config))) {
      // Never the wrong backlog: the agent is told why, on every call, instead of writing elsewhere.
      const reason = refusedTokenMessage(config, target.port);
      log(reason);
      await refuseOverStdio(`backlog-mcp: ${reason}`);
      return 1;
    }
  } catch (error) {
    if (error instanceof DaemonError) {
      log(error.message);
      return error.exitCode;
    }
    throw error;
  }
  const supervisor = new Supervisor(DEFAULT_BACKOFF, log);
  const bridge = new StdioHttpBridge({
    endpoint: new URL(`${target.base}/mcp`),
    token: () => tokenForServer(config),
    headers: { [BACKLOG_DIR_HEADER]: config.backlogDir },
    log,
    supervisor,
    ensureServer: async () => {
      await ensureServer(config, version, log);
    },
  });
  const end = (): void => {
    void bridge.close().finally(() => process.exit(0));
  };
  // The client went away: end the HTTP session and exit; the server keeps running for others.
  process.stdin.once('end', end);
  process.stdin.once('close', end);
  process.stdout.on('error', end);
  process.once('SIGINT', end);
  process.once('SIGTERM', end);
  process.once('SIGHUP', end);
  await bridge.start();
  return -1;
}
