import type { Config } from '../../runtime/node/config.js';
import { DaemonError, ensureServer, refusedTokenMessage, refusesToken, targetOf, tokenForServer } from '../daemon.js';
import { bridgeLog } from '../log.js';
import { StdioHttpBridge } from '../transport/stdio-http-bridge.js';
import { DEFAULT_BACKOFF, Supervisor } from '../transport/supervisor.js';

/** The default command: ensure the shared server runs, then bridge stdio to its /mcp. */
export async function runBridge(config: Config, version: string): Promise<number> {
  const log = bridgeLog(config.dataDir);
  const target = targetOf(config);
  try {
    const ensured = await ensureServer(config, version, log);
    log(`Bridge ${version} → server ${ensured.version} on port ${target.port} (${ensured.action})`);
    if (await refusesToken(target, tokenForServer(config))) {
      throw new DaemonError(refusedTokenMessage(config, target.port));
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
