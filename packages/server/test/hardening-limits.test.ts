import { readFile } from 'node:fs/promises';
import { request } from 'node:http';
import { join } from 'node:path';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LIMITS } from '../src/core/limits.js';
import { MCP_HEADERS, send } from './support/raw-http.js';
import {
  authHeaders,
  call,
  callError,
  connectHttp,
  removeDir,
  startHttpServer,
  tempDataDir,
} from './support/servers.js';

/** Issue 8, point 7: every maximum in docs/limits.md is enforced with an error naming the field and the number. */
describe('documented limits', () => {
  let dataDir: string;
  let server: Awaited<ReturnType<typeof startHttpServer>>;
  let client: Client;
  beforeAll(async () => {
    dataDir = await tempDataDir();
    server = await startHttpServer(dataDir);
    client = await connectHttp(server.url, 'limits');
    await call(client, 'backlog_create', { title: 'x'.repeat(LIMITS.titleLength) }); // the maximum itself is fine
  });
  afterAll(async () => {
    await client?.close();
    await server?.stop();
    await removeDir(dataDir);
  });

  const over: Array<[string, string, () => Record<string, unknown>, RegExp[]]> = [
    ['title', 'backlog_create', () => ({ title: 'x'.repeat(LIMITS.titleLength + 1) }), [/\btitle\b/, /at most 500/]],
    [
      'description',
      'backlog_create',
      () => ({ title: 't', description: 'x'.repeat(LIMITS.descriptionBytes + 1) }),
      [/\bdescription\b/, /at most 1048576/],
    ],
    ['list limit', 'backlog_list', () => ({ limit: LIMITS.listLimitMax + 1 }), [/\blimit\b/, /1 to 1000/]],
    [
      'search limit',
      'backlog_search',
      () => ({ query: 'x', limit: LIMITS.searchLimitMax + 1 }),
      [/\blimit\b/, /1 to 100/],
    ],
    [
      'search query',
      'backlog_search',
      () => ({ query: 'q'.repeat(LIMITS.queryLength + 1) }),
      [/\bquery\b/, /at most 1000/],
    ],
    [
      'list query',
      'backlog_list',
      () => ({ query: 'q'.repeat(LIMITS.queryLength + 1) }),
      [/\bquery\b/, /at most 1000/],
    ],
    [
      'evidence entries',
      'backlog_update',
      () => ({ id: 'TASK-0001', evidence: Array.from({ length: LIMITS.listEntries + 1 }, () => 'e') }),
      [/\bevidence\b/, /at most 200 entries/],
    ],
    [
      'evidence entry length',
      'backlog_update',
      () => ({ id: 'TASK-0001', evidence: ['e'.repeat(LIMITS.listItemLength + 1)] }),
      [/\bevidence\b/, /at most 10000/],
    ],
    [
      'ids per get',
      'backlog_get',
      () => ({ id: Array.from({ length: LIMITS.batchGetMax + 1 }, () => 'TASK-0001') }),
      [/\bid\b/, /at most 100 entries/],
    ],
  ];

  it.each(over)(
    'refuses a %s over its maximum, naming the field and the number',
    async (_name, tool, args, patterns) => {
      const message = await callError(client, tool, args());
      for (const pattern of patterns) expect(message).toMatch(pattern);
    },
  );

  it('refuses a write whose front matter would pass the 1 MiB read cap, and writes nothing', async () => {
    // Within every per-field limit, but a file the codec would refuse to read back (FRONT_MATTER_LIMITS).
    const { id } = await call<{ id: string }>(client, 'backlog_create', { title: 'too much evidence' });
    const file = join(dataDir, 'tasks', `${id}.md`);
    const before = await readFile(file, 'utf8');
    const evidence = Array.from({ length: LIMITS.listEntries }, () => 'e'.repeat(6_000));
    const message = await callError(client, 'backlog_update', { id, evidence });
    expect(message).toMatch(/front matter is over 1048576 characters/);
    expect(await readFile(file, 'utf8')).toBe(before);
  });

  it('answers a request body over 4 MiB with 413 and the limit, before parsing it', async () => {
    const reply = await send(server.url, '/mcp', {
      method: 'POST',
      headers: { ...MCP_HEADERS, ...authHeaders(server.url) },
      body: JSON.stringify({
        jsonrpc: '2.0',
        id: 1,
        method: 'tools/list',
        params: { pad: 'x'.repeat(4 * 1024 * 1024) },
      }),
    });
    expect(reply.status).toBe(413);
    expect(reply.body).toContain(String(4 * 1024 * 1024));
  });

  it('answers a chunked body (no Content-Length) over 4 MiB with 413 too', async () => {
    const url = new URL(server.url);
    const status = await new Promise<number>((resolve, reject) => {
      const req = request(
        {
          host: url.hostname,
          port: url.port,
          path: '/mcp',
          method: 'POST',
          headers: { ...MCP_HEADERS, ...authHeaders(server.url) },
          agent: false,
        },
        (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        },
      );
      req.on('error', reject);
      const chunk = 'x'.repeat(256 * 1024);
      req.write(`{"jsonrpc":"2.0","id":1,"method":"tools/list","params":{"pad":"`);
      for (let i = 0; i < 20; i++) req.write(chunk);
      req.end('"}}');
    });
    expect(status).toBe(413);
  });

  it('clamps the viewer API instead of failing: limit to 1000, q to 1000 characters', async () => {
    const list = JSON.parse(
      (await send(server.url, '/api/items?limit=999999', { headers: authHeaders(server.url) })).body,
    );
    expect(list.items.length).toBeLessThanOrEqual(LIMITS.listLimitMax);
    const search = await send(server.url, `/api/search?q=${'x'.repeat(5000)}`, { headers: authHeaders(server.url) });
    expect(search.status).toBe(200);
  });
});
