/**
 * The package version, injected at bundle time (wrangler.jsonc `define`, and the tests'
 * bundler): version.ts reads package.json from disk, which a Worker does not have.
 * A test checks that wrangler.jsonc's value matches package.json.
 */
declare const __BACKLOG_VERSION__: string | undefined;

export const WORKER_VERSION: string = typeof __BACKLOG_VERSION__ === 'string' ? __BACKLOG_VERSION__ : '0.0.0-dev';
