import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authHeaders, removeDir, startHttpServer, tempDataDir } from './support/servers.js';

/**
 * The direct tools/call path (runtime/node/mcp-direct.ts) must answer exactly as the SDK does.
 * A one-message batch always goes through the SDK's transport and McpServer, so each call is made
 * both ways, on the same session, and the JSON-RPC answers compared.
 */
describe('tools/call straight to the tool, as the SDK would answer it', () => {
  let dataDir = '';
  let server: Awaited<ReturnType<typeof startHttpServer>>;
  let headers: Record<string, string>;
  let nextId = 1;

  beforeAll(async () => {
    dataDir = await tempDataDir();
    server = await startHttpServer(dataDir);
    headers = {
      ...authHeaders(server.url),
      'content-type': 'application/json',
      accept: 'application/json, text/event-stream',
    };
    const init = await post({
      jsonrpc: '2.0',
      id: 0,
      method: 'initialize',
      params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'direct-test', version: '1' } },
    });
    const session = init.headers.get('mcp-session-id');
    if (!session) throw new Error(`initialize gave no session (HTTP ${init.status})`);
    headers = { ...headers, 'mcp-session-id': session, 'mcp-protocol-version': '2025-06-18' };
    await post({ jsonrpc: '2.0', method: 'notifications/initialized' });
  });
  afterAll(async () => {
    await server?.stop();
    await removeDir(dataDir);
  });

  function post(body: unknown): Promise<Response> {
    return fetch(`${server.url}/mcp`, { method: 'POST', headers, body: JSON.stringify(body) });
  }

  /** The same call, direct and through the SDK: status, content type and JSON-RPC answer. */
  async function bothWays(name: string, args?: unknown) {
    const params = args === undefined ? { name } : { name, arguments: args };
    const id = nextId++;
    const single = await post({ jsonrpc: '2.0', id, method: 'tools/call', params });
    const batch = await post([{ jsonrpc: '2.0', id, method: 'tools/call', params }]);
    // A batch of one is answered with the one answer, not an array of one.
    const answers = (await batch.json()) as unknown;
    return {
      direct: { status: single.status, type: single.headers.get('content-type'), answer: await single.json() },
      sdk: {
        status: batch.status,
        type: batch.headers.get('content-type'),
        answer: Array.isArray(answers) ? answers[0] : answers,
      },
      session: single.headers.get('mcp-session-id'),
    };
  }

  it('answers reads the same way', async () => {
    await post({
      jsonrpc: '2.0',
      id: nextId++,
      method: 'tools/call',
      params: { name: 'backlog_create', arguments: { title: 'Fix the login form', labels: ['auth'] } },
    });
    for (const [name, args] of [
      ['backlog_get', { id: ['TASK-0001'] }],
      ['backlog_list', { status: ['open'] }],
      ['backlog_search', { query: 'login' }],
      ['backlog_context', { task_id: 'TASK-0001' }],
    ] as const) {
      const { direct, sdk, session } = await bothWays(name, args);
      expect(direct, name).toEqual(sdk);
      expect(direct.answer, name).toMatchObject({ result: { structuredContent: expect.any(Object) } });
      expect(session).toBe(headers['mcp-session-id']);
    }
  });

  it('leaves refusals to the SDK: unknown tools, invalid arguments, missing arguments', async () => {
    for (const [name, args] of [
      ['backlog_nothing', {}],
      ['backlog_get', { ids: 'TASK-0001' }],
      ['backlog_get', { id: 7 }],
      ['backlog_create', { title: 42 }],
      ['backlog_create', undefined],
    ] as const) {
      const { direct, sdk } = await bothWays(name, args);
      expect(direct, name).toEqual(sdk);
      expect(direct.answer, name).toMatchObject({ result: { isError: true } });
    }
  });

  it('answers a domain error (an ID that does not exist) the same way', async () => {
    const { direct, sdk } = await bothWays('backlog_update', { id: 'TASK-0999', status: 'done' });
    expect(direct).toEqual(sdk);
    expect(direct.answer).toMatchObject({ result: { isError: true } });
  });

  it('answers a body that is not JSON as the SDK does', async () => {
    const response = await fetch(`${server.url}/mcp`, { method: 'POST', headers, body: '{"jsonrpc": "2.0",' });
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({
      jsonrpc: '2.0',
      error: { code: -32700, message: 'Parse error: Invalid JSON' },
      id: null,
    });
  });
});
