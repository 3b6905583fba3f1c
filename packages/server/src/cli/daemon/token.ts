import type { Config } from '../../runtime/node/config.js';
import { foreignListener } from '../../runtime/node/port-owner.js';
import { readServerToken } from '../../runtime/node/server-token.js';
import { DaemonError } from './errors.js';
import { targetOf } from './probe.js';

export const readToken = readServerToken;

/**
 * The owner's token, to be sent to the server on the configured port, unless another user's
 * program listens there: it would get the token and could use it once the real server is back.
 */
export function tokenForServer(config: Config): string | undefined {
  const port = targetOf(config).port;
  const uid = foreignListener(port);
  if (uid !== undefined) {
    throw new DaemonError(
      `Port ${port} is held by a program of another user (uid ${uid}), not by your backlog-mcp server; ` +
        `the server token was not sent to it. Stop that program, or choose another port with BACKLOG_VIEWER_PORT.`,
    );
  }
  return readToken(config.dataDir);
}
