// A minimal MCP client over Streamable HTTP: plain JSON-RPC POSTs on one kept-alive socket, no SDK
// and no fetch, so a throughput figure measures the server, not the client. `fetch` (undici) alone
// cost ~2 ms of CPU a call, as much as the server's whole create (issue 21).
import http from 'node:http';
import { authHeaders } from './server.mjs';

/** POSTs `body` to `/mcp`; resolves with the status, headers and text of the answer. */
function post(agent, target, headers, body) {
  return new Promise((resolve, reject) => {
    const request = http.request(
      { agent, host: target.hostname, port: target.port, path: '/mcp', method: 'POST', headers },
      (response) => {
        let text = '';
        response.setEncoding('utf8');
        response.on('data', (chunk) => {
          text += chunk;
        });
        response.on('end', () => resolve({ status: response.statusCode, headers: response.headers, text }));
        response.on('error', reject);
      },
    );
    request.on('error', reject);
    request.end(body);
  });
}

/** `auth`: the Authorization header; by default the token of a server this process started. */
export async function rawSession(url, name = 'raw', auth = authHeaders(url)) {
  const target = new URL(url);
  // One socket per session, reused: each client is one agent with one connection.
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const headers = {
    ...auth,
    'content-type': 'application/json',
    accept: 'application/json, text/event-stream',
  };
  const init = await post(
    agent,
    target,
    headers,
    JSON.stringify({
      jsonrpc: '2.0',
      id: 0,
      method: 'initialize',
      params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name, version: '1' } },
    }),
  );
  const session = init.headers['mcp-session-id'];
  if (!session) throw new Error(`initialize: no session id (HTTP ${init.status})`);
  headers['mcp-session-id'] = session;
  headers['mcp-protocol-version'] = '2025-06-18';
  await post(agent, target, headers, '{"jsonrpc":"2.0","method":"notifications/initialized"}');
  let id = 0;
  return {
    /** One tools/call; throws on a JSON-RPC or tool error. Returns the parsed result. */
    async call(tool, args) {
      const body = JSON.stringify({
        jsonrpc: '2.0',
        id: ++id,
        method: 'tools/call',
        params: { name: tool, arguments: args },
      });
      const { text } = await post(agent, target, headers, body);
      // The server answers JSON or one SSE event carrying the JSON.
      const json = JSON.parse(text.startsWith('{') ? text : text.slice(text.indexOf('{'), text.lastIndexOf('}') + 1));
      if (json.error || json.result?.isError)
        throw new Error(`${tool}: ${JSON.stringify(json.error ?? json.result.content)}`);
      return json.result;
    },
    close: () => agent.destroy(),
  };
}
