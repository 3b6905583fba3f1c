// A minimal MCP client over Streamable HTTP: plain JSON-RPC POSTs, no SDK, so a throughput figure
// measures the server, not the client's schema checks. Used for the raw create rate (issue 21).
import { authHeaders } from './server.mjs';

export async function rawSession(url, name = 'raw') {
  const headers = {
    ...authHeaders(url),
    'content-type': 'application/json',
    accept: 'application/json, text/event-stream',
  };
  const init = await fetch(`${url}/mcp`, {
    method: 'POST',
    headers,
    body: JSON.stringify({
      jsonrpc: '2.0',
      id: 0,
      method: 'initialize',
      params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name, version: '1' } },
    }),
  });
  await init.text();
  const session = init.headers.get('mcp-session-id');
  if (!session) throw new Error(`initialize: no session id (HTTP ${init.status})`);
  headers['mcp-session-id'] = session;
  headers['mcp-protocol-version'] = '2025-06-18';
  await (
    await fetch(`${url}/mcp`, {
      method: 'POST',
      headers,
      body: '{"jsonrpc":"2.0","method":"notifications/initialized"}',
    })
  ).text();
  let id = 0;
  return {
    /** One tools/call; throws on a JSON-RPC or tool error. Returns the parsed result. */
    async call(tool, args) {
      const response = await fetch(`${url}/mcp`, {
        method: 'POST',
        headers,
        body: JSON.stringify({
          jsonrpc: '2.0',
          id: ++id,
          method: 'tools/call',
          params: { name: tool, arguments: args },
        }),
      });
      const text = await response.text();
      // The server answers JSON or one SSE event carrying the JSON.
      const json = JSON.parse(text.startsWith('{') ? text : text.slice(text.indexOf('{'), text.lastIndexOf('}') + 1));
      if (json.error || json.result?.isError)
        throw new Error(`${tool}: ${JSON.stringify(json.error ?? json.result.content)}`);
      return json.result;
    },
  };
}
