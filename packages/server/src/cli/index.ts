#!/usr/bin/env node
import { ENV_DOCS, loadConfig } from '../config.js';
import { startHttpServer } from '../node/http-server.js';
import { runStdioServer } from '../node/stdio-server.js';
import { VERSION } from '../version.js';

/** Logs go to stderr: in stdio mode stdout carries only protocol messages. */
const log = (line: string): void => {
  process.stderr.write(`${line}\n`);
};

const HELP = `backlog-mcp ${VERSION} — a task backlog for LLM agents, served over MCP

Usage:
  backlog-mcp            serve MCP over stdio (for MCP clients: {"command": "npx", "args": ["-y", "backlog-mcp"]})
  backlog-mcp --stdio    the same, explicitly: MCP over stdio, no HTTP server
  backlog-mcp serve      run the HTTP server in the foreground (/mcp, /api, the viewer)
  backlog-mcp version    print the version
  backlog-mcp --help     this help

Environment (also read from ./.env):
${ENV_DOCS.map((e) => `  ${e.name.padEnd(22)} ${e.meaning} (default ${e.default})`).join('\n')}
`;

async function main(argv: string[]): Promise<number> {
  const [command = '--stdio'] = argv;
  switch (command) {
    case '--help':
    case '-h':
    case 'help':
      process.stdout.write(HELP);
      return 0;
    case 'version':
    case '--version':
    case '-v':
      process.stdout.write(`${VERSION}\n`);
      return 0;
    case 'serve': {
      const config = loadConfig();
      const server = await startHttpServer(config, log);
      log(`backlog-mcp ${VERSION} serving ${config.dataDir}`);
      log(`Viewer: ${server.url}/`);
      log(`MCP endpoint: ${server.url}/mcp`);
      const stop = (): void => {
        void server.close().then(() => process.exit(0));
      };
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
      return -1; // keep running
    }
    case '--stdio':
      await runStdioServer(loadConfig(), log);
      return -1;
    default:
      process.stderr.write(`Unknown command ${JSON.stringify(command)}.\n\n${HELP}`);
      return 2;
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    if (code >= 0) process.exitCode = code;
  },
  (error: unknown) => {
    log(`backlog-mcp: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  },
);
