import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authHeaders, call, connectHttp, removeDir, startHttpServer, tempDataDir } from './support/servers.js';

interface Reply {
  status: number;
  type: string;
  body: string;
}

/**
 * node:http, because fetch will not let a test forge the Host header the way a rebinding attack does.
 * Sent with the owner's token, as the owner's tools do: the refusals below hold even with it.
 */
function send(
  url: string,
  options: { method?: string; headers?: Record<string, string>; body?: string } = {},
): Promise<Reply> {
  const headers = { ...authHeaders(url), ...options.headers };
  return new Promise((resolve, reject) => {
    const req = request(url, { method: options.method ?? 'GET', headers, agent: false }, (res) => {
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

  it('streams numbered change events over SSE and replays what a reconnecting client missed', async () => {
    const decoder = new TextDecoder();
    /** Reads SSE messages until `done` says enough; returns them parsed. */
    async function readEvents(response: Response, done: (events: SseMessage[]) => boolean): Promise<SseMessage[]> {
      const reader = (response.body as ReadableStream<Uint8Array>).getReader();
      let text = '';
      let events: SseMessage[] = [];
      while (!done(events)) {
        const chunk = await reader.read();
        if (chunk.done) break;
        text += decoder.decode(chunk.value);
        events = parseSse(text);
      }
      await reader.cancel();
      return events;
    }
    const live = await fetch(`${server.url}/events`, { headers: authHeaders(server.url) });
    expect(live.headers.get('content-type')).toContain('text/event-stream');
    const client = await connectHttp(server.url, 'sse-writer');
    // The event arrives (how fast: bench/run.mjs, "write → SSE event").
    const [events] = await Promise.all([
      readEvents(live, (list) => list.some((e) => e.event === 'change' && e.data.includes('"title":"streamed"'))),
      call(client, 'backlog_create', { title: 'streamed' }),
    ]);
    const created = events.find((e) => e.event === 'change' && e.data.includes('"title":"streamed"'));
    expect(JSON.parse(created?.data ?? '{}')).toMatchObject({
      kind: 'created',
      actor: 'sse-writer',
      tool: 'backlog_create',
    });
    const id = Number(created?.id);
    expect(id).toBeGreaterThan(0);

    await call(client, 'backlog_update', { id: 'TASK-0002', status: 'done' });
    await client.close();
    const again = await fetch(`${server.url}/events`, {
      headers: { ...authHeaders(server.url), 'last-event-id': String(id) },
    });
    const replayed = await readEvents(again, (list) => list.some((e) => e.event === 'change'));
    const missed = replayed.find((e) => e.event === 'change');
    expect(Number(missed?.id)).toBe(id + 1);
    expect(JSON.parse(missed?.data ?? '{}')).toMatchObject({
      kind: 'updated',
      item_id: 'TASK-0002',
      fields: ['status'],
    });
    // Both responses name the same stream, so the viewer knows the replay covered the gap.
    const streamOf = (list: SseMessage[]) => JSON.parse(list.find((e) => e.event === 'ready')?.data ?? '{}').stream;
    expect(streamOf(replayed)).toEqual(expect.any(String));
    expect(streamOf(replayed)).toBe(streamOf(events));
  });
});

interface SseMessage {
  event?: string;
  id?: string;
  data: string;
}

function parseSse(text: string): SseMessage[] {
  return text
    .split('\n\n')
    .slice(0, -1)
    .map((block) => {
      const message: SseMessage = { data: '' };
      for (const line of block.split('\n')) {
        const [key, ...rest] = line.split(': ');
        const value = rest.join(': ');
        if (key === 'event') message.event = value;
        else if (key === 'id') message.id = value;
        else if (key === 'data') message.data += value;
      }
      return message;
    });
}
