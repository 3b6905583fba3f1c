/** Programmatic entry: the core and the Node wiring, for embedding and tests. */

export { createApp } from './app/app.js';
export { Backlog } from './core/backlog.js';
export { BacklogError } from './core/errors.js';
export { createMcpServer } from './mcp/server.js';
export { openNodeBacklog } from './runtime/node/backlog.js';
export { loadConfig } from './runtime/node/config.js';
export { startHttpServer } from './runtime/node/http-server.js';
export { VERSION } from './runtime/node/version.js';
