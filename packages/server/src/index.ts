/** Programmatic entry: the core and the Node wiring, for embedding and tests. */

export { Backlog } from './core/backlog.js';
export { BacklogError } from './core/errors.js';
export { createApp } from './http/app.js';
export { createMcpServer } from './mcp/server.js';
export { openNodeBacklog } from './runtime/node/backlog.js';
export { loadConfig } from './runtime/node/config.js';
export { startHttpServer } from './runtime/node/http-server.js';
export { VERSION } from './runtime/node/version.js';
