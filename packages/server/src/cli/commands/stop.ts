import type { Config } from '../../runtime/node/config.js';
import { DaemonError, EXIT, probe, stopServer, targetOf } from '../daemon.js';
import { stderrLog } from '../log.js';

const out = (line: string): void => {
  process.stdout.write(`${line}\n`);
};

/** `stop`: exit 0 once stopped, 1 when nothing was running, 3 when it could not stop the server. */
export async function runStop(config: Config): Promise<number> {
  const target = targetOf(config);
  const state = await probe(target);
  if (state.state === 'free') {
    out('Server is not running');
    return EXIT.notRunning;
  }
  if (state.state === 'foreign') {
    process.stderr.write(
      `backlog-mcp: port ${target.port} is used by another program, not backlog-mcp (${state.detail})\n`,
    );
    return EXIT.failure;
  }
  out(`Stopping server on port ${target.port}...`);
  try {
    const result = await stopServer(config, (line) => stderrLog(`backlog-mcp: ${line}`));
    out(result === 'stopped' ? 'Server stopped' : 'Server is not running');
    return EXIT.ok;
  } catch (error) {
    if (error instanceof DaemonError) {
      process.stderr.write(`backlog-mcp: ${error.message}\n`);
      return error.exitCode;
    }
    throw error;
  }
}
