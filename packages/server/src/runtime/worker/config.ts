import type { D1Database } from '../../adapters/d1/d1-types.js';

/** A service binding such as the static-assets binding. */
export interface Fetcher {
  fetch(request: Request): Promise<Response>;
}

/** The Worker's bindings (wrangler.jsonc) and secrets (`wrangler secret put`). */
export interface Env {
  DB: D1Database;
  /** The built viewer (dist/viewer), served only behind authentication. */
  ASSETS?: Fetcher;
  API_KEY?: string;
  JWT_SECRET?: string;
  GITHUB_CLIENT_ID?: string;
  GITHUB_CLIENT_SECRET?: string;
  /** Comma- or space-separated GitHub logins, compared case-insensitively; empty lets nobody in. */
  ALLOWED_GITHUB_USERNAMES?: string;
  /** Where GitHub's OAuth pages and API live; overridable only so tests can stand in for them. */
  GITHUB_URL?: string;
  GITHUB_API_URL?: string;
  /** The public origin, when requests arrive under another one (a proxy); default: the request's. */
  PUBLIC_URL?: string;
  ACCESS_TOKEN_TTL_SECONDS?: string;
  REFRESH_TOKEN_TTL_SECONDS?: string;
  /** How long one /events response stays open polling the journal before the browser reconnects. */
  EVENTS_HOLD_SECONDS?: string;
  EVENTS_POLL_SECONDS?: string;
  /** Names the actor in the journal instead of the MCP client's name. */
  BACKLOG_ACTOR_NAME?: string;
}

/** Minimum API key length: shorter keys are ignored (refused), so a weak key never guards the data. */
export const MIN_API_KEY_LENGTH = 16;

export interface WorkerConfig {
  origin: string;
  /** The protected resource: `<origin>/mcp`, the audience of every access token. */
  resource: string;
  apiKey?: string;
  jwtSecret?: string;
  github?: { clientId: string; clientSecret: string; url: string; apiUrl: string };
  allowedGithubUsers: ReadonlySet<string>;
  accessTtl: number;
  refreshTtl: number;
  eventsHoldMs: number;
  eventsPollMs: number;
  actorName?: string;
}

function seconds(raw: string | undefined, fallback: number): number {
  const n = Number(raw);
  return Number.isFinite(n) && n > 0 ? n : fallback;
}

export function parseAllowList(raw: string | undefined): Set<string> {
  return new Set(
    (raw ?? '')
      .split(/[\s,]+/)
      .map((name) => name.trim().toLowerCase())
      .filter(Boolean),
  );
}

/** Reads the environment once per request; secrets stay in this object and are never logged. */
export function readConfig(env: Env, request: Request): WorkerConfig {
  const origin = (env.PUBLIC_URL?.trim() || new URL(request.url).origin).replace(/\/+$/, '');
  const apiKey = env.API_KEY && env.API_KEY.length >= MIN_API_KEY_LENGTH ? env.API_KEY : undefined;
  const github =
    env.GITHUB_CLIENT_ID && env.GITHUB_CLIENT_SECRET
      ? {
          clientId: env.GITHUB_CLIENT_ID,
          clientSecret: env.GITHUB_CLIENT_SECRET,
          url: (env.GITHUB_URL || 'https://github.com').replace(/\/+$/, ''),
          apiUrl: (env.GITHUB_API_URL || 'https://api.github.com').replace(/\/+$/, ''),
        }
      : undefined;
  return {
    origin,
    resource: `${origin}/mcp`,
    apiKey,
    jwtSecret: env.JWT_SECRET && env.JWT_SECRET.length >= MIN_API_KEY_LENGTH ? env.JWT_SECRET : undefined,
    github,
    allowedGithubUsers: parseAllowList(env.ALLOWED_GITHUB_USERNAMES),
    accessTtl: seconds(env.ACCESS_TOKEN_TTL_SECONDS, 3600),
    refreshTtl: seconds(env.REFRESH_TOKEN_TTL_SECONDS, 30 * 24 * 3600),
    eventsHoldMs: seconds(env.EVENTS_HOLD_SECONDS, 25) * 1000,
    eventsPollMs: seconds(env.EVENTS_POLL_SECONDS, 2) * 1000,
    actorName: env.BACKLOG_ACTOR_NAME?.trim() || undefined,
  };
}
