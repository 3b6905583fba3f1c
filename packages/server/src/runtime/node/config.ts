import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { isAbsolute, join, resolve } from 'node:path';
import { type BacklogSource, findProjectBacklog } from './backlog-location.js';

/** Every setting the Node server reads, resolved once; nothing else touches process.env. */
export interface Config {
  /**
   * The server's own folder: its global backlog and its state (token, PID, log, the list of
   * backlogs it has served). BACKLOG_DATA_DIR, else ~/.backlog.
   */
  dataDir: string;
  /**
   * The backlog this process works on (the bridge binds its sessions to it): BACKLOG_DATA_DIR when
   * set, else the nearest `.backlog/` walking up from the working folder, else ~/.backlog.
   */
  backlogDir: string;
  backlogSource: BacklogSource;
  port: number;
  host: string;
  actorName?: string;
  /** A project backlog with no session and no viewer for this long is closed (BACKLOG_IDLE_CLOSE_SECONDS). */
  idleCloseMs: number;
  /** Above this many items in open backlogs, one that `scope: "all"` opened closes once it has answered. */
  maxOpenItems: number;
  /** `text` turns semantic search off (smaller memory, no model load); default hybrid. */
  search: SearchMode;
  /**
   * BACKLOG_MCP_VERSION_OVERRIDE: the version the CLI and the HTTP server claim, for tests of
   * the upgrade rules only (a "newer" bridge replaces an "older" server). Unset in normal use.
   */
  versionOverride?: string;
  /** Settings that were refused, for the server to print once at start. */
  warnings?: string[];
}

export const ENV_DOCS: ReadonlyArray<{ name: string; default: string; meaning: string }> = [
  {
    name: 'BACKLOG_DATA_DIR',
    default: 'nearest .backlog/, else ~/.backlog',
    meaning: 'pins one backlog folder (tasks/, resources/) and the server that serves it',
  },
  { name: 'BACKLOG_VIEWER_PORT', default: '3030', meaning: 'port of the HTTP server (MCP endpoint, API, viewer)' },
  {
    name: 'BACKLOG_HOST',
    default: '127.0.0.1',
    meaning: 'bind address; beyond loopback only from the environment, not .env',
  },
  {
    name: 'BACKLOG_IDLE_CLOSE_SECONDS',
    default: '600',
    meaning: 'a project backlog with no session and no viewer is closed after this long',
  },
  {
    name: 'BACKLOG_MAX_OPEN_ITEMS',
    default: '100000',
    meaning: 'past this many items in open backlogs, scope "all" closes each project it opened after answering',
  },
  {
    name: 'BACKLOG_SEARCH',
    default: 'deep',
    meaning:
      'deep (words + meaning, with the full sentence encoder for paraphrases), hybrid (words + the static meaning table) or text (words only)',
  },
  {
    name: 'BACKLOG_ACTOR_NAME',
    default: 'the MCP client name',
    meaning: 'who the activity journal says made a change',
  },
];

export function expandHome(path: string, home = homedir()): string {
  if (path === '~') return home;
  if (path.startsWith('~/') || path.startsWith('~\\')) return join(home, path.slice(2));
  return path;
}

/** Parses a .env file: KEY=value lines, optional quotes, # comments. */
export function parseDotEnv(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    const match = /^(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*)$/.exec(line);
    if (!match) continue;
    let value = (match[2] as string).trim();
    const quoted = /^(['"])(.*)\1$/.exec(value);
    if (quoted) value = quoted[2] as string;
    else value = value.replace(/\s+#.*$/, '');
    out[match[1] as string] = value;
  }
  return out;
}

function readDotEnv(cwd: string): Record<string, string> {
  try {
    return parseDotEnv(readFileSync(join(cwd, '.env'), 'utf8'));
  } catch {
    return {};
  }
}

/** 127.0.0.0/8, ::1 and localhost: addresses only this machine can reach. */
export function isLoopbackHost(host: string): boolean {
  const bare = host.replace(/^\[|\]$/g, '').toLowerCase();
  return bare === 'localhost' || bare === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(bare);
}

/**
 * The process environment wins over .env, which wins over defaults. A .env in a cloned
 * repository is a stranger's input: it may never widen what the server exposes, so a
 * non-loopback BACKLOG_HOST is taken from the real environment only.
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): Config {
  const dotEnv = readDotEnv(cwd);
  const warnings: string[] = [];
  const dotHost = dotEnv.BACKLOG_HOST?.trim();
  if (dotHost && !isLoopbackHost(dotHost) && !env.BACKLOG_HOST?.trim()) {
    warnings.push(
      `ignored BACKLOG_HOST=${dotHost} from ${join(cwd, '.env')}: a .env file may only name a loopback address; ` +
        'set BACKLOG_HOST in the environment to bind beyond this machine',
    );
    delete dotEnv.BACKLOG_HOST;
  }
  const merged: Record<string, string | undefined> = { ...dotEnv, ...env };
  const pinned = merged.BACKLOG_DATA_DIR?.trim();
  const expanded = expandHome(pinned || '~/.backlog');
  const dataDir = isAbsolute(expanded) ? expanded : resolve(cwd, expanded);
  const project = pinned ? undefined : findProjectBacklog(resolve(cwd));
  const port = parsePort(merged.BACKLOG_VIEWER_PORT);
  const config: Config = {
    dataDir,
    backlogDir: project ?? dataDir,
    backlogSource: pinned ? 'env' : project && project !== dataDir ? 'project' : 'global',
    port,
    host: merged.BACKLOG_HOST?.trim() || '127.0.0.1',
    search: parseSearchMode(merged.BACKLOG_SEARCH),
    idleCloseMs: parseSeconds('BACKLOG_IDLE_CLOSE_SECONDS', merged.BACKLOG_IDLE_CLOSE_SECONDS, 600) * 1000,
    maxOpenItems: parseCount('BACKLOG_MAX_OPEN_ITEMS', merged.BACKLOG_MAX_OPEN_ITEMS, 100_000),
  };
  const actor = merged.BACKLOG_ACTOR_NAME?.trim();
  if (actor) config.actorName = actor;
  const versionOverride = merged.BACKLOG_MCP_VERSION_OVERRIDE?.trim();
  if (versionOverride) config.versionOverride = versionOverride;
  if (warnings.length) config.warnings = warnings;
  return config;
}

function parsePort(raw: string | undefined): number {
  if (!raw?.trim()) return 3030;
  const port = Number(raw.trim());
  if (!/^\d{1,5}$/.test(raw.trim()) || port > 65535) {
    throw new Error(`BACKLOG_VIEWER_PORT: expected a port number 0-65535, received ${JSON.stringify(raw)}`);
  }
  return port;
}

function parseSeconds(name: string, raw: string | undefined, fallback: number): number {
  if (!raw?.trim()) return fallback;
  const seconds = Number(raw.trim());
  if (!Number.isFinite(seconds) || seconds <= 0) {
    throw new Error(`${name}: expected a number of seconds above 0, received ${JSON.stringify(raw)}`);
  }
  return seconds;
}

function parseCount(name: string, raw: string | undefined, fallback: number): number {
  if (!raw?.trim()) return fallback;
  const count = Number(raw.trim());
  if (!Number.isSafeInteger(count) || count < 1) {
    throw new Error(`${name}: expected a whole number above 0, received ${JSON.stringify(raw)}`);
  }
  return count;
}

export const SEARCH_MODES = ['deep', 'hybrid', 'text'] as const;
export type SearchMode = (typeof SEARCH_MODES)[number];

function parseSearchMode(raw: string | undefined): SearchMode {
  const value = raw?.trim().toLowerCase() || 'deep';
  if (!(SEARCH_MODES as readonly string[]).includes(value)) {
    throw new Error(`BACKLOG_SEARCH: expected "deep", "hybrid" or "text", received ${JSON.stringify(raw)}`);
  }
  return value as SearchMode;
}
