/** Programmatic entry: the core and the Node wiring, for embedding and tests. */

export { loadConfig } from './config.js';
export { Backlog } from './core/backlog.js';
export { BacklogError } from './core/errors.js';
export { createApp } from './http/app.js';
export { createMcpServer } from './mcp/server.js';
export { startHttpServer } from './node/http-server.js';
export { openNodeBacklog } from './node/open-backlog.js';
export { VERSION } from './version.js';
