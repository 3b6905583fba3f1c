/**
 * The CLI's side of the background server, split in ./daemon/: probing the port (probe), the
 * owner token (token), starting, replacing and stopping the server (lifecycle, with handover and
 * processes), and the errors and exit codes the commands report (errors).
 */
export { DaemonError, EXIT, refusedTokenMessage } from './daemon/errors.js';
export { cliPath, type Ensured, ensureServer, openServerLog, spawnServer, stopServer } from './daemon/lifecycle.js';
export {
  fetchHealth,
  type Health,
  isRefused,
  ownerHeaders,
  type Probe,
  probe,
  refusesToken,
  type Target,
  TIMEOUTS,
  targetOf,
} from './daemon/probe.js';
export { readToken, tokenForServer } from './daemon/token.js';
