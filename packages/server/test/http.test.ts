import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, connectHttp, removeDir, startHttpServer, tempDataDir } from './support/servers.js';

interface Reply {
  status: number;
  type: string;
  body: string;
}

/** node:http, because fetch will not let a test forge the Host header the way a rebinding attack does. */
function send(
  url: string,
  options: { method?: string; headers?: Record<string, string>; body?: string } = {},
): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: options.method ?? 'GET', headers: options.headers, agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        body += chunk;
      });
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, type: String(res.headers['content-type'] ?? ''), body }),
      );
    });
    req.on('error', reject);
    if (options.body) req.write(options.body);
    req.end();
  });
}

describe('the HTTP server', () => {
  let server: Awaited<ReturnType<typeof startHttpServer>>;
  let dataDir: string;

  beforeAll(async () => {
    dataDir = await tempDataDir();
    server = await startHttpServer(dataDir);
  });
  afterAll(async () => {
    await server?.stop();
    await removeDir(dataDir);
  });

  it('listens on 127.0.0.1 only', () => {
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  });

  it('answers /version with the bare version as plain text', async () => {
    const reply = await send(`${server.url}/version`);
    expect(reply.status).toBe(200);
    expect(reply.type).toContain('text/plain');
    expect(reply.body).toMatch(/^\d+\.\d+\.\d+$/);
  });

  it('answers /health with the data folder and item count', async () => {
    const client = await connectHttp(server.url);
    await call(client, 'backlog_create', { title: 'counted' });
    await client.close();
    const health = JSON.parse((await send(`${server.url}/health`)).body);
    expect(health).toMatchObject({ status: 'ok', data_dir: dataDir, task_count: 1 });
  });

  it('serves the viewer page at /', async () => {
    const reply = await send(`${server.url}/`);
    expect(reply.status).toBe(200);
    expect(reply.type).toContain('text/html');
    expect(reply.body).toContain('backlog-mcp');
  });

  it('serves the item list as JSON for the viewer', async () => {
    const reply = await send(`${server.url}/api/items`);
    expect(reply.status).toBe(200);
    expect(JSON.parse(reply.body).items[0]).toMatchObject({ id: 'TASK-0001', title: 'counted' });
  });

  it('refuses a rebound host name (DNS rebinding)', async () => {
    const port = new URL(server.url).port;
    for (const path of ['/api/items', '/mcp', '/']) {
      const reply = await send(`${server.url}${path}`, { headers: { host: `evil.example:${port}` } });
      expect(reply.status, path).toBe(403);
      expect(reply.body, path).not.toContain('counted');
    }
  });

  it('refuses requests from another origin and sends no permissive CORS', async () => {
    const reply = await send(`${server.url}/api/items`, { headers: { origin: 'https://evil.example' } });
    expect(reply.status).toBe(403);
    const mcp = await send(`${server.url}/mcp`, {
      method: 'POST',
      headers: {
        origin: 'https://evil.example',
        'content-type': 'application/json',
        accept: 'application/json, text/event-stream',
      },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' }),
    });
    expect(mcp.status).toBe(403);
    const same = await send(`${server.url}/api/items`, { headers: { origin: server.url } });
    expect(same.status).toBe(200);
    const preflight = await send(`${server.url}/mcp`, {
      method: 'OPTIONS',
      headers: { origin: 'https://evil.example' },
    });
    expect(preflight.status).toBe(403);
  });

  it('refuses oversized request bodies', async () => {
    const reply = await send(`${server.url}/mcp`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
      body: 'x'.repeat(5 * 1024 * 1024),
    });
    expect(reply.status).toBe(413);
  });

  it('answers an unknown MCP session with 404 so clients re-initialise', async () => {
    const reply = await send(`${server.url}/mcp`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'application/json, text/event-stream',
        'mcp-session-id': 'nope',
      },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' }),
    });
    expect(reply.status).toBe(404);
  });
});
