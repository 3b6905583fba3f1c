import { chmodSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadOrCreateServerToken } from '../src/runtime/node/server-token.js';
import { INITIALIZE, MCP_HEADERS, send } from './support/raw-http.js';
import { removeDir, startHttpServer, tempDataDir } from './support/servers.js';

/**
 * Another account on the machine can reach 127.0.0.1:<port> but cannot read the owner's
 * `<data>/.state/server.token` (mode 0600): every route that reads or writes the backlog
 * must refuse it, and the viewer must be entered only through the owner's link.
 */
describe('the local server requires its token', () => {
  let server: Awaited<ReturnType<typeof startHttpServer>>;
  let dataDir: string;
  let token: string;
  let secretFile: string;
  const SECRET = 'PRIVATE KEY 8f3a1c: the owner must never leak this';

  const host = () => new URL(server.url).host;
  const bearer = (value: string) => ({ authorization: `Bearer ${value}` });

  beforeAll(async () => {
    dataDir = await tempDataDir();
    secretFile = join(dataDir, 'id_ed25519');
    await writeFile(secretFile, SECRET, { mode: 0o600 });
    server = await startHttpServer(dataDir);
    token = readFileSync(join(dataDir, '.state', 'server.token'), 'utf8').trim();
  });
  afterAll(async () => {
    await server?.stop();
    await removeDir(dataDir);
  });

  it('keeps the token in a file only its owner can read', () => {
    expect(token).toMatch(/^[0-9a-f]{64}$/);
    expect(statSync(join(dataDir, '.state', 'server.token')).mode & 0o777).toBe(0o600);
  });

  it('answers 401 on /mcp, /api/*, /events and /health with no token or a wrong one', async () => {
    const wrong = [{}, bearer('0'.repeat(64)), bearer(''), { authorization: `Basic ${token}` }, bearer(`${token}x`)];
    for (const headers of wrong) {
      const replies = [
        await send(server.url, '/mcp', { method: 'POST', headers: { ...MCP_HEADERS, ...headers }, body: INITIALIZE }),
        await send(server.url, '/api/items', { headers }),
        await send(server.url, '/api/search?q=key', { headers }),
        await send(server.url, '/events', { headers }),
        await send(server.url, '/health', { headers }),
      ];
      for (const reply of replies) {
        expect(reply.status).toBe(401);
        expect(reply.headers['www-authenticate']).toMatch(/^Bearer/);
        expect(reply.body).not.toContain(dataDir);
      }
    }
  });

  it('offers no OAuth metadata a client could mistake for a sign-in (the token goes in a header)', async () => {
    for (const path of ['/.well-known/oauth-protected-resource', '/.well-known/oauth-authorization-server']) {
      const reply = await send(server.url, path, { headers: bearer(token) });
      expect(reply.status, path).toBe(404);
      expect(reply.body, path).not.toContain('<html');
    }
  });

  it('answers /version without a token, with the bare version and nothing else', async () => {
    const reply = await send(server.url, '/version');
    expect(reply.status).toBe(200);
    expect(reply.body).toMatch(/^\d+\.\d+\.\d+(-[\w.]+)?$/);
  });

  it('leaks nothing through source_path to a caller without the token', async () => {
    const create = JSON.stringify({
      jsonrpc: '2.0',
      id: 2,
      method: 'tools/call',
      params: { name: 'backlog_create', arguments: { title: 'steal', source_path: secretFile } },
    });
    for (const body of [INITIALIZE, create]) {
      const reply = await send(server.url, '/mcp', { method: 'POST', headers: MCP_HEADERS, body });
      expect(reply.status).toBe(401);
      expect(reply.body).not.toContain('PRIVATE KEY');
    }
    const items = await send(server.url, '/api/items', { headers: bearer(token) });
    expect(items.status).toBe(200);
    expect(JSON.parse(items.body).items).toEqual([]);
  });

  it('serves /mcp, /api/*, /events and /health to the bearer of the token', async () => {
    const headers = bearer(token);
    const init = await send(server.url, '/mcp', {
      method: 'POST',
      headers: { ...MCP_HEADERS, ...headers },
      body: INITIALIZE,
    });
    expect(init.status).toBe(200);
    expect((await send(server.url, '/api/items', { headers })).status).toBe(200);
    expect(JSON.parse((await send(server.url, '/health', { headers })).body)).toMatchObject({ status: 'ok' });
    const events = await send(server.url, '/events', { headers, timeoutMs: 500 }).catch((error: Error) => error);
    // A stream never ends by itself: the idle timeout firing means it opened (a 401 would have ended at once).
    expect(events instanceof Error ? events.message : String(events.status)).toMatch(/timeout|200/);
  });

  it('lets the viewer in only through the link with the token, then by an HttpOnly SameSite=Strict cookie', async () => {
    // The page itself holds no data (a link from another site must open it); its API calls need the cookie.
    const bare = await send(server.url, '/', { headers: { host: host() } });
    expect(bare.status).toBe(200);
    expect(bare.headers['set-cookie']).toBeUndefined();
    expect((await send(server.url, '/api/items')).status).toBe(401);

    const wrong = await send(server.url, `/?token=${'0'.repeat(64)}`);
    expect(wrong.status).toBe(401);
    expect(wrong.headers['content-type']).toContain('text/html');
    expect(wrong.body).toContain('backlog-mcp status');
    expect(wrong.headers['set-cookie']).toBeUndefined();

    const link = await send(server.url, `/?token=${token}`);
    expect(link.status).toBe(303);
    expect(link.headers.location).toBe('/');
    const setCookie = String(link.headers['set-cookie']);
    expect(setCookie).toMatch(/HttpOnly/i);
    expect(setCookie).toMatch(/SameSite=Strict/i);
    expect(setCookie).not.toContain(token);
    const cookie = setCookie.split(';')[0] as string;

    const page = await send(server.url, '/', { headers: { cookie } });
    expect(page.status).toBe(200);
    expect(page.body).toContain('backlog-mcp');
    expect((await send(server.url, '/api/items', { headers: { cookie } })).status).toBe(200);
    // A deep link keeps its path and other parameters.
    const deep = await send(server.url, `/?task=TASK-0001&token=${token}`);
    expect(deep.headers.location).toBe('/?task=TASK-0001');
  });

  it('refuses a forged cookie', async () => {
    const port = new URL(server.url).port;
    for (const cookie of [`backlog_session_${port}=${token}`, `backlog_session_${port}=${'a'.repeat(64)}`]) {
      expect((await send(server.url, '/api/items', { headers: { cookie } })).status).toBe(401);
    }
  });
});

describe('the token file', () => {
  it('is replaced when others could read it or it is not a token, and kept otherwise', async () => {
    const dataDir = await tempDataDir();
    try {
      const file = join(dataDir, '.state', 'server.token');
      const first = loadOrCreateServerToken(dataDir);
      expect(loadOrCreateServerToken(dataDir)).toBe(first);
      chmodSync(file, 0o644);
      const second = loadOrCreateServerToken(dataDir);
      expect(second).not.toBe(first);
      expect(statSync(file).mode & 0o777).toBe(0o600);
      writeFileSync(file, 'planted\n', { mode: 0o600 });
      expect(loadOrCreateServerToken(dataDir)).toMatch(/^[0-9a-f]{64}$/);
      expect(statSync(join(dataDir, '.state')).mode & 0o777).toBe(0o700);
    } finally {
      await removeDir(dataDir);
    }
  });
});
