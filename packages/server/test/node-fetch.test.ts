import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isRefused } from '../src/cli/daemon/probe.js';
import { nodeFetch } from '../src/cli/transport/node-fetch.js';
import { freePort } from './support/cli.js';

/** The bridge's fetch behaves as fetch where the SDK's transport and the bridge's recovery look. */
describe('the bridge’s fetch on node:http', () => {
  let server: Server;
  let base: string;

  beforeAll(async () => {
    server = createServer((req, res) => {
      let body = '';
      req.on('data', (chunk: Buffer) => {
        body += chunk.toString();
      });
      req.on('end', () => {
        if (req.url === '/empty') {
          res.writeHead(202).end();
        } else if (req.url === '/stream') {
          res.writeHead(200, { 'content-type': 'text/event-stream' });
          res.write('data: first\n\n'); // and never ends, like the session's GET stream
        } else {
          res.writeHead(200, { 'content-type': 'application/json', 'mcp-session-id': 's-1' });
          res.end(JSON.stringify({ method: req.method, body, auth: req.headers.authorization }));
        }
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    base = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  });
  afterAll(() => {
    server.closeAllConnections();
    server.close();
  });

  it('sends the method, headers and body, and answers with status, headers and body', async () => {
    const headers = new Headers({ authorization: 'Bearer t' });
    const response = await nodeFetch(`${base}/mcp`, { method: 'POST', headers, body: '{"a":1}' });
    expect(response.status).toBe(200);
    expect(response.headers.get('mcp-session-id')).toBe('s-1');
    expect(await response.json()).toEqual({ method: 'POST', body: '{"a":1}', auth: 'Bearer t' });
    const accepted = await nodeFetch(`${base}/empty`, { method: 'POST', body: '{}' });
    expect(accepted.status).toBe(202);
    expect(await accepted.text()).toBe('');
  });

  it('fails with ECONNREFUSED where nobody listens, which the bridge resends safely', async () => {
    const error = await nodeFetch(`http://127.0.0.1:${await freePort()}/mcp`, { method: 'POST', body: '{}' }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(isRefused(error)).toBe(true);
  });

  it('ends a streaming answer with the abort reason when the signal fires', async () => {
    const controller = new AbortController();
    const response = await nodeFetch(`${base}/stream`, { signal: controller.signal });
    const reader = (response.body as ReadableStream<Uint8Array>).getReader();
    expect(new TextDecoder().decode((await reader.read()).value)).toBe('data: first\n\n');
    controller.abort();
    await expect(reader.read()).rejects.toMatchObject({ name: 'AbortError' });
  });
});
