import { execFile } from 'node:child_process';
import { rmSync } from 'node:fs';
import { cp, mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { Miniflare, type MiniflareOptions } from 'miniflare';
import type { D1Database } from '../../../src/adapters/d1/d1-types.js';
import { HANG } from '../../support/limits.js';

const execFileAsync = promisify(execFile);
/** A wrangler command, with a hang detector (limits.ts): it starts several Node processes. */
const run = (file: string, args: string[], options: { cwd: string; env: NodeJS.ProcessEnv }) =>
  execFileAsync(file, args, { ...options, timeout: HANG.worker });

/** Temporary folders made once per test process (bundle, migrated D1 template), removed at exit. */
const onExit: string[] = [];
process.once('exit', () => {
  for (const dir of onExit) rmSync(dir, { recursive: true, force: true });
});
export const SERVER_DIR = fileURLToPath(new URL('../../../', import.meta.url));
const WRANGLER = join(SERVER_DIR, '../../node_modules/.bin/wrangler');
const WRANGLER_ENV = { ...process.env, WRANGLER_SEND_METRICS: 'false', CI: '1', NO_COLOR: '1' };

export const GITHUB_URL = 'https://github.test';
export const GITHUB_API_URL = 'https://api.github.test';
export const SECRETS = {
  API_KEY: 'test-api-key-0123456789abcdef',
  JWT_SECRET: 'test-jwt-secret-0123456789abcdef0123456789',
  GITHUB_CLIENT_ID: 'gh-client-id',
  GITHUB_CLIENT_SECRET: 'gh-client-secret',
};

/** wrangler.jsonc without its comments (all of them are whole lines). */
export async function readWranglerConfig(): Promise<Record<string, unknown>> {
  const text = await readFile(join(SERVER_DIR, 'wrangler.jsonc'), 'utf8');
  return JSON.parse(
    text
      .split('\n')
      .filter((line) => !/^\s*\/\//.test(line))
      .join('\n'),
  ) as Record<string, unknown>;
}

let bundled: Promise<string> | undefined;
/** Bundles the Worker exactly as a deploy would: `wrangler deploy --dry-run` with the real wrangler.jsonc. */
export function bundleWorker(): Promise<string> {
  bundled ??= (async () => {
    const out = await mkdtemp(join(tmpdir(), 'backlog-worker-bundle-'));
    onExit.push(out);
    await run(WRANGLER, ['deploy', '--dry-run', '--outdir', out], { cwd: SERVER_DIR, env: WRANGLER_ENV });
    return join(out, 'entry.js');
  })();
  return bundled;
}

let migrated: Promise<string> | undefined;
/**
 * A fresh local D1 with the real migration files applied by `wrangler d1 execute --local --file=`.
 * wrangler runs once per migration and test process (each run is a few Node processes: ~2.5 s
 * alone, far more on a loaded machine); every Worker then gets its own copy of that database.
 */
async function migratedDatabase(): Promise<string> {
  migrated ??= (async () => {
    const template = await mkdtemp(join(tmpdir(), 'backlog-worker-d1-template-'));
    onExit.push(template);
    const files = (await readdir(join(SERVER_DIR, 'migrations'))).filter((f) => f.endsWith('.sql')).sort();
    for (const file of files) {
      await run(
        WRANGLER,
        ['d1', 'execute', 'backlog', '--local', `--file=migrations/${file}`, `--persist-to=${template}`],
        { cwd: SERVER_DIR, env: WRANGLER_ENV },
      );
    }
    return template;
  })();
  const template = await migrated;
  const persist = await mkdtemp(join(tmpdir(), 'backlog-worker-d1-'));
  await cp(template, persist, { recursive: true });
  return persist;
}

export interface LocalD1 {
  /** The D1 binding, as a Worker gets it (typed as the adapters' slice of it). */
  db: D1Database;
  close(): Promise<void>;
}

/**
 * A local D1 on its own, with the real migrations applied (the same template as startWorker's):
 * Miniflare with a stub Worker, for testing the D1 adapters directly, without the bundle.
 */
export async function openLocalD1(): Promise<LocalD1> {
  const [persist, config] = await Promise.all([migratedDatabase(), readWranglerConfig()]);
  const d1 = (config.d1_databases as Array<{ database_id: string }>)[0] as { database_id: string };
  const mf = new Miniflare({
    modules: true,
    script: 'export default { fetch() { return new Response(null, { status: 404 }); } };',
    compatibilityDate: config.compatibility_date as string,
    d1Databases: { DB: d1.database_id },
    d1Persist: join(persist, 'v3', 'd1'),
  });
  const db = (await mf.getD1Database('DB')) as unknown as D1Database;
  return {
    db,
    async close() {
      await mf.dispose();
      await rm(persist, { recursive: true, force: true });
    },
  };
}

/** Stands in for github.com's OAuth token endpoint and api.github.com/user, nothing else. */
export class FakeGithub {
  private readonly codes = new Map<string, string>();
  readonly unexpected: string[] = [];
  tokenRequests = 0;

  /** What GitHub does when `login` approves: a one-time code for the Worker's callback. */
  approve(login: string): string {
    const code = `ghcode-${Math.random().toString(36).slice(2)}`;
    this.codes.set(code, login);
    return code;
  }

  async handle(request: Request): Promise<Response> {
    const url = new URL(request.url);
    if (request.method === 'POST' && `${url.origin}${url.pathname}` === `${GITHUB_URL}/login/oauth/access_token`) {
      this.tokenRequests++;
      const body = (await request.json()) as Record<string, string>;
      const login = body.code ? this.codes.get(body.code) : undefined;
      if (body.code) this.codes.delete(body.code);
      if (body.client_id !== SECRETS.GITHUB_CLIENT_ID || body.client_secret !== SECRETS.GITHUB_CLIENT_SECRET) {
        return Response.json({ error: 'incorrect_client_credentials' });
      }
      return Response.json(
        login ? { access_token: `gho_${login}`, token_type: 'bearer' } : { error: 'bad_verification_code' },
      );
    }
    if (request.method === 'GET' && `${url.origin}${url.pathname}` === `${GITHUB_API_URL}/user`) {
      const token = /^Bearer gho_(.+)$/.exec(request.headers.get('authorization') ?? '')?.[1];
      if (!request.headers.get('user-agent')) return new Response('User-Agent required', { status: 403 });
      return token ? Response.json({ login: token, id: 1 }) : new Response('Bad credentials', { status: 401 });
    }
    this.unexpected.push(`${request.method} ${request.url}`);
    return new Response('no network in tests', { status: 599 });
  }
}

export interface WorkerHarness {
  url: string;
  mf: Miniflare;
  github: FakeGithub;
  /** Raw SQL on the same local D1 the Worker uses. */
  sql<T = Record<string, unknown>>(query: string, ...params: unknown[]): Promise<T[]>;
  fetch(path: string, init?: RequestInit): Promise<Response>;
  /** Restarts the Worker with other bindings (a `wrangler secret put`), on the same port and D1. */
  rebind(env: Record<string, string>): Promise<void>;
  close(): Promise<void>;
}

/** The Worker in workerd (Miniflare) on a local port, with a migrated local D1 and the built viewer. */
export async function startWorker(env: Record<string, string> = {}): Promise<WorkerHarness> {
  const [script, persist, config] = await Promise.all([bundleWorker(), migratedDatabase(), readWranglerConfig()]);
  const d1 = (config.d1_databases as Array<{ database_id: string }>)[0] as { database_id: string };
  const github = new FakeGithub();
  const options = (bindings: Record<string, string>): MiniflareOptions => ({
    modules: true,
    // 0 twice (here and at setOptions) keeps the port, so the origin (tokens' iss and aud) stays the same.
    port: 0,
    scriptPath: script,
    modulesRoot: dirname(script),
    compatibilityDate: config.compatibility_date as string,
    compatibilityFlags: (config.compatibility_flags as string[] | undefined) ?? [],
    cf: false,
    d1Databases: { DB: d1.database_id },
    d1Persist: join(persist, 'v3', 'd1'),
    assets: {
      directory: join(SERVER_DIR, 'dist', 'viewer'),
      binding: 'ASSETS',
      routerConfig: { invoke_user_worker_ahead_of_assets: true, has_user_worker: true },
      assetConfig: { not_found_handling: 'single-page-application' },
    },
    bindings,
    outboundService: (request) => github.handle(request as unknown as Request) as never,
  });
  let bindings: Record<string, string> = {
    ...SECRETS,
    ALLOWED_GITHUB_USERNAMES: 'Alice, bob',
    GITHUB_URL,
    GITHUB_API_URL,
    ...env,
  };
  const mf = new Miniflare(options(bindings));
  const url = (await mf.ready).toString().replace(/\/$/, '');
  let db = await mf.getD1Database('DB');
  return {
    url,
    mf,
    github,
    async sql<T>(query: string, ...params: unknown[]) {
      const { results } = await db
        .prepare(query)
        .bind(...params)
        .all();
      return results as T[];
    },
    fetch: (path, init) => fetch(`${url}${path}`, { redirect: 'manual', ...init }),
    async rebind(changes) {
      bindings = { ...bindings, ...changes };
      await mf.setOptions(options(bindings));
      const now = (await mf.ready).toString().replace(/\/$/, '');
      if (now !== url) throw new Error(`the Worker moved from ${url} to ${now}`);
      db = await mf.getD1Database('DB');
    },
    async close() {
      await mf.dispose();
      await rm(persist, { recursive: true, force: true });
    },
  };
}

/** An MCP SDK client over Streamable HTTP to the Worker's /mcp, with a bearer token. */
export async function connectMcp(
  url: string,
  token: string,
  name = 'worker-test',
): Promise<import('@modelcontextprotocol/sdk/client/index.js').Client> {
  const { Client } = await import('@modelcontextprotocol/sdk/client/index.js');
  const { StreamableHTTPClientTransport } = await import('@modelcontextprotocol/sdk/client/streamableHttp.js');
  const transport = new StreamableHTTPClientTransport(new URL(`${url}/mcp`), {
    requestInit: { headers: { authorization: `Bearer ${token}` } },
  });
  const client = new Client({ name, version: '1.0.0' });
  await client.connect(transport);
  return client;
}
