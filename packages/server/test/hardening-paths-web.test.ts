import { execFileSync } from 'node:child_process';
import { mkdir, readFile, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HANG } from './support/limits.js';
import { INITIALIZE, MCP_HEADERS, send } from './support/raw-http.js';
import { authHeaders, call, connectHttp, removeDir, startHttpServer, tempDataDir, textOf } from './support/servers.js';

/**
 * Issue 8, points 4 and 5: nothing reads or writes outside the data folder, and a web
 * page on another origin (or a rebound DNS name) can neither read items, call tools,
 * nor stop the server.
 */

const SECRET = 'TOP-SECRET-7f3a';
const OUTSIDE_ITEM = `---\nid: TASK-0009\ntitle: ${SECRET} item\nstatus: open\ntype: task\n---\n${SECRET}\n`;

describe('paths and hostile web pages', () => {
  let dataDir: string;
  let outside: string;
  let server: Awaited<ReturnType<typeof startHttpServer>>;
  let client: Client;
  let port: string;

  beforeAll(async () => {
    dataDir = await tempDataDir();
    outside = await tempDataDir();
    await writeFile(join(outside, 'secret.txt'), `${SECRET}\n`);
    await writeFile(join(outside, 'TASK-0009.md'), OUTSIDE_ITEM);
    await mkdir(join(dataDir, 'resources', 'sub'), { recursive: true });
    await mkdir(join(dataDir, 'tasks'), { recursive: true });
    await writeFile(join(dataDir, 'resources', 'notes.md'), 'notes\n');
    await symlink(join(outside, 'secret.txt'), join(dataDir, 'resources', 'link.md'));
    await symlink(outside, join(dataDir, 'resources', 'linkdir'));
    await symlink('../../../', join(dataDir, 'resources', 'sub', 'up'));
    await symlink(join(outside, 'TASK-0009.md'), join(dataDir, 'tasks', 'TASK-0009.md'));
    await writeFile(join(outside, 'big.txt'), 'x'.repeat(1024 * 1024 + 1));
    await writeFile(join(outside, 'ok.txt'), 'a readable source\n');
    execFileSync('mkfifo', [join(outside, 'pipe')]);
    server = await startHttpServer(dataDir);
    port = new URL(server.url).port;
    client = await connectHttp(server.url, 'paths');
    await call(client, 'backlog_create', { title: 'visible item', description: 'inside' });
  });
  afterAll(async () => {
    await client?.close();
    await server?.stop();
    await removeDir(dataDir);
    await removeDir(outside);
  });

  async function outsideUnchanged(): Promise<void> {
    expect(await readFile(join(outside, 'secret.txt'), 'utf8')).toBe(`${SECRET}\n`);
    expect(await readFile(join(outside, 'TASK-0009.md'), 'utf8')).toBe(OUTSIDE_ITEM);
  }

  // A function: `outside` is only known once beforeAll ran (a constant here said file://undefined).
  const tricks = (): string[] => [
    'mcp://backlog/resources/../tasks/TASK-0001.md',
    'mcp://backlog/resources/..%2ftasks%2fTASK-0001.md',
    'mcp://backlog/resources/%2e%2e/%2e%2e/etc/passwd',
    'mcp://backlog/resources/%2E%2E%2F%2E%2E%2Fetc%2Fpasswd',
    'mcp://backlog/resources/%252e%252e/etc/passwd',
    'mcp://backlog/resources/%c0%ae%c0%ae/etc/passwd',
    'mcp://backlog/resources//etc/passwd',
    'mcp://backlog/resources/%2Fetc%2Fpasswd',
    'mcp://backlog/resources/..\\..\\etc\\passwd',
    'mcp://backlog/resources/\uFF0E\uFF0E/\uFF0E\uFF0E/etc/passwd',
    'mcp://backlog/resources/\u2024\u2024/etc/passwd',
    'mcp://backlog/resources/.\u0307./etc/passwd',
    'mcp://backlog/resources/notes.md%00.txt',
    'mcp://backlog/resources/.hidden',
    'mcp://backlog/resources/link.md',
    'mcp://backlog/resources/linkdir/secret.txt',
    'mcp://backlog/resources/sub/up/etc/passwd',
    'mcp://backlog/tasks/TASK-0009.md',
    'mcp://backlog/tasks/..%2f..%2fetc%2fpasswd.md',
    'mcp://backlog/tasks/../../etc/passwd.md',
    'file:///etc/passwd',
    `file://${outside}/secret.txt`,
  ];

  it('write_resource refuses every path trick and symlink, naming uri, and writes nothing outside', async () => {
    for (const uri of tricks()) {
      const result = (await client.callTool({
        name: 'write_resource',
        arguments: { uri, operation: { type: 'append', new_str: 'pwned' } },
      })) as CallToolResult;
      expect(result.isError, uri).toBe(true);
      expect(textOf(result), uri).toMatch(/uri|id/);
    }
    await outsideUnchanged();
  });

  it('resources/read never returns a byte from outside the data folder', async () => {
    for (const uri of tricks()) {
      const text = await client.readResource({ uri }).then(
        (r) => JSON.stringify(r),
        (e: unknown) => String(e),
      );
      expect(text, uri).not.toContain(SECRET);
      expect(text, uri).not.toContain('root:');
    }
    const inside = await client.readResource({ uri: 'mcp://backlog/resources/notes.md' });
    expect(JSON.stringify(inside)).toContain('notes');
  });

  it('a symlink in tasks/ pointing out is reported, not loaded, and never written through', async () => {
    const list = await call<{ items: Array<{ id: string }> }>(client, 'backlog_list', {});
    expect(list.items.map((i) => i.id)).not.toContain('TASK-0009');
    expect(JSON.stringify(list)).not.toContain(SECRET);
    const got = (await client.callTool({ name: 'backlog_get', arguments: { id: 'TASK-0009' } })) as CallToolResult;
    expect(textOf(got)).not.toContain(SECRET);
    for (const [name, args] of [
      ['backlog_update', { id: 'TASK-0009', title: 'pwned' }],
      ['backlog_delete', { id: 'TASK-0009' }],
    ] as const) {
      const result = (await client.callTool({ name, arguments: args })) as CallToolResult;
      expect(result.isError, name).toBe(true);
      expect(textOf(result)).toMatch(/^id:/);
    }
    const found = await call<{ results: unknown[] }>(client, 'backlog_search', { query: SECRET });
    expect(JSON.stringify(found)).not.toContain(SECRET);
    await outsideUnchanged();
  });

  it('source_path reads only regular files of at most 1 MiB, and never hangs on a pipe', async () => {
    const refused: Array<[string, RegExp]> = [
      [join(outside, 'big.txt'), /at most 1048576 bytes/],
      [join(outside, 'pipe'), /regular file/],
      ['/dev/zero', /regular file/],
      ['/proc/self/environ', /regular file on disk/],
      [outside, /regular file/],
      [join(outside, 'missing.txt'), /could not be opened/],
    ];
    for (const [path, reason] of refused) {
      // A read that hangs (a pipe, /dev/zero) would never answer: the request's own time limit
      // (a hang detector, support/limits.ts) fails the call. No elapsed time is asserted here.
      const result = (await client.callTool(
        { name: 'backlog_create', arguments: { title: 'from a file', source_path: path } },
        undefined,
        { timeout: HANG.condition },
      )) as CallToolResult;
      expect(result.isError, path).toBe(true);
      expect(textOf(result), path).toMatch(/^source_path:/);
      expect(textOf(result), path).toMatch(reason);
    }
    const ok = await call<{ item: { description: string } }>(client, 'backlog_create', {
      title: 'from a file',
      source_path: join(outside, 'ok.txt'),
    });
    expect(ok.item.description).toBe('a readable source\n');
  });

  it('HTTP routes never serve files from outside the viewer or the data folder', async () => {
    const paths = [
      '/../../../../etc/passwd',
      '/%2e%2e/%2e%2e/%2e%2e/%2e%2e/etc/passwd',
      '/..%2f..%2f..%2f..%2f..%2fetc%2fpasswd',
      '/assets/..%2f..%2f..%2fpackage.json',
      '/%2e%2e%2f%2e%2e%2fpackage.json',
      '/api/items/..%2f..%2fetc%2fpasswd',
      '/api/items/TASK-0009',
      `/api/search?q=${SECRET}`,
      `/${encodeURIComponent(join(outside, 'secret.txt'))}`,
      '/api/items?q=../../etc/passwd',
    ];
    for (const path of paths) {
      const reply = await send(server.url, path, { headers: authHeaders(server.url) });
      expect(reply.body, path).not.toContain(SECRET);
      expect(reply.body, path).not.toContain('root:x:');
      expect(reply.body, path).not.toContain('"workspaces"');
    }
  });

  describe('a page on another origin', () => {
    const host = () => `127.0.0.1:${port}`;
    const ROUTES: Array<[string, string, string?]> = [
      ['GET', '/api/items'],
      ['GET', '/api/items/TASK-0001'],
      ['GET', '/api/search?q=visible'],
      ['GET', '/api/activity'],
      ['GET', '/api/stubs?ids=TASK-0001'],
      ['GET', '/events'],
      ['GET', '/health'],
      ['POST', '/mcp', INITIALIZE],
      ['POST', '/shutdown', ''],
    ];

    /** Refused even with the owner's token: a page cannot have it, and the Host/Origin guard stands alone. */
    async function refusedEverywhere(headers: Record<string, string>): Promise<void> {
      for (const [method, path, body] of ROUTES) {
        const all = { ...MCP_HEADERS, ...authHeaders(server.url), ...headers };
        const reply = await send(server.url, path, { method, headers: all, body });
        // 400: Node's parser already refuses some forged hosts; 403: the Host/Origin guard.
        expect([400, 403], `${method} ${path} ${JSON.stringify(headers)}`).toContain(reply.status);
        expect(reply.body).not.toContain('visible item');
        expect(reply.headers['access-control-allow-origin']).toBeUndefined();
        expect(reply.headers['mcp-session-id']).toBeUndefined();
      }
    }

    it('is refused with a rebound Host name (DNS rebinding)', async () => {
      for (const name of [
        `evil.example:${port}`,
        `127.0.0.1.evil.example:${port}`,
        `localhost.evil.example:${port}`,
        'evil.example',
        `127.0.0.1:${port}@evil.example`,
      ]) {
        await refusedEverywhere({ host: name });
      }
    });

    it('is refused with a foreign, a null or a look-alike Origin', async () => {
      for (const origin of [
        'https://evil.example',
        'null',
        `http://127.0.0.1:${Number(port) + 1}`,
        `http://localhost:${port}`,
        `http://127.0.0.1:${port}.evil.example`,
        'not a url',
      ]) {
        await refusedEverywhere({ host: host(), origin });
      }
    });

    it('gets no CORS permission from a preflight', async () => {
      for (const path of ['/mcp', '/api/items', '/shutdown']) {
        const reply = await send(server.url, path, {
          method: 'OPTIONS',
          headers: {
            host: host(),
            origin: 'https://evil.example',
            'access-control-request-method': 'POST',
            'access-control-request-headers': 'content-type, mcp-session-id, x-backlog-token',
          },
        });
        expect(reply.status, path).toBe(403);
        expect(reply.headers['access-control-allow-origin'], path).toBeUndefined();
        expect(reply.headers['access-control-allow-headers'], path).toBeUndefined();
      }
    });

    it('cannot embed the API cross-site (script/img tags send no Origin, but do send Sec-Fetch-Site)', async () => {
      for (const [method, path, body] of ROUTES) {
        const reply = await send(server.url, path, {
          method,
          headers: {
            ...MCP_HEADERS,
            ...authHeaders(server.url),
            host: host(),
            'sec-fetch-site': 'cross-site',
            'sec-fetch-mode': 'no-cors',
          },
          body,
        });
        expect(reply.status, path).toBe(403);
      }
      // A person following a link to the viewer is a navigation, and still works.
      const page = await send(server.url, '/', {
        headers: { host: host(), 'sec-fetch-site': 'cross-site', 'sec-fetch-mode': 'navigate' },
      });
      expect(page.status).toBe(200);
    });

    it('cannot stop the server: /shutdown needs the owner-only token', async () => {
      for (const headers of [
        {} as Record<string, string>,
        { 'x-backlog-token': '' },
        { 'x-backlog-token': 'guess' },
        { 'content-type': 'text/plain' },
      ]) {
        const reply = await send(server.url, '/shutdown', { method: 'POST', headers: { host: host(), ...headers } });
        expect([401, 403]).toContain(reply.status);
      }
      const token = (await readFile(join(dataDir, '.state', 'server.token'), 'utf8')).trim();
      const foreign = await send(server.url, '/shutdown', {
        method: 'POST',
        headers: { host: host(), origin: 'https://evil.example', 'x-backlog-token': token },
      });
      expect(foreign.status).toBe(403);
      expect((await send(server.url, '/version')).status).toBe(200);
      expect(server.child.exitCode).toBeNull();
    });

    it('leaves the same-origin viewer working', async () => {
      const reply = await send(server.url, '/api/items', {
        headers: { ...authHeaders(server.url), host: host(), origin: `http://${host()}` },
      });
      expect(reply.status).toBe(200);
      expect(reply.body).toContain('visible item');
      expect(reply.headers['access-control-allow-origin']).toBeUndefined();
    });
  });
});
