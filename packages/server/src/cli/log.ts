import { appendFileSync, mkdirSync } from 'node:fs';
import { serverStateFiles } from '../runtime/node/state-files.js';

export type Log = (line: string) => void;

/** Diagnostics go to stderr, never stdout (which carries MCP messages or command output). */
export const stderrLog: Log = (line) => {
  process.stderr.write(`${line}\n`);
};

/** The bridge logs to stderr and to <data>/.state/server.log beside the server's own lines. */
export function bridgeLog(dataDir: string): Log {
  const file = serverStateFiles(dataDir).log;
  let fileOk = true;
  return (line) => {
    process.stderr.write(`backlog-mcp: ${line}\n`);
    if (!fileOk) return;
    try {
      mkdirSync(serverStateFiles(dataDir).dir, { recursive: true });
      appendFileSync(file, `${new Date().toISOString()} [bridge ${process.pid}] ${line}\n`, { mode: 0o600 });
    } catch {
      fileOk = false;
    }
  };
}

/** The server's lines carry a timestamp: they end up in the log file when it runs in the background. */
export const serverLog: Log = (line) => {
  process.stderr.write(`${new Date().toISOString()} ${line}\n`);
};
