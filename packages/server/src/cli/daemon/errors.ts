import type { Config } from '../../runtime/node/config.js';
import { serverStateFiles } from '../../runtime/node/state-files.js';
import type { Target } from './probe.js';

/** Exit codes the CLI documents (docs/cli.md). */
export const EXIT = {
  ok: 0,
  /** `status` / `stop`: no server answers on the port. Item commands: the tool reported an error. */
  notRunning: 1,
  /** Item commands: the tool reported an error (message on stderr). */
  toolError: 1,
  usage: 2,
  /** The server could not be started, stopped or reached (port taken, refused token, timeout). */
  failure: 3,
} as const;

export class DaemonError extends Error {
  constructor(
    message: string,
    readonly exitCode: number = EXIT.failure,
  ) {
    super(message);
    this.name = 'DaemonError';
  }
}

/** The server on the port answers as backlog-mcp but not to this data folder's token. */
export function refusedTokenMessage(config: Config, port: number): string {
  return (
    `The backlog-mcp server on port ${port} does not accept the token in ${serverStateFiles(config.dataDir).token}: ` +
    `it serves another data folder (started with another BACKLOG_DATA_DIR), or belongs to another user. ` +
    `Projects share one server without BACKLOG_DATA_DIR: run "npx backlog-mcp init" in the project instead; ` +
    `or give this data folder its own BACKLOG_VIEWER_PORT.`
  );
}

export function unprovenMessage(config: Config, target: Target, situation: string, reason: string): string {
  return (
    `${situation} and cannot be proven to be the backlog-mcp server for ${config.dataDir} (${reason}), ` +
    `so nothing was killed. Stop the program on port ${target.port}, or choose another port with BACKLOG_VIEWER_PORT.`
  );
}

export function portTakenMessage(target: Target, detail: string): string {
  return (
    `Port ${target.port} is in use by another program that is not a backlog-mcp server (${detail}). ` +
    `Stop that program, or choose another port with BACKLOG_VIEWER_PORT (for example BACKLOG_VIEWER_PORT=${target.port + 1}).`
  );
}
