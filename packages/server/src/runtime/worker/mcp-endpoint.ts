import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { WebStandardStreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js';
import type { McpEndpoint } from '../../app/mcp-endpoint.js';

/** What a stateless server remembers of a client between requests: carried by the client, not stored. */
export interface StatelessSession {
  /** The client's name from its `initialize` (clientInfo.name). */
  client?: string;
  /** A random tag per MCP session, so two sessions of one program hold separate claims. */
  tag: string;
}

/** Turns a session into the opaque `mcp-session-id` the client sends back, and reads it again. */
export interface SessionCodec {
  encode(session: StatelessSession): Promise<string>;
  decode(id: string): Promise<StatelessSession | undefined>;
}

export interface StatelessOptions {
  makeServer: (session: StatelessSession | undefined) => McpServer;
  /** Without it no session id is issued, and every request is anonymous to the tools. */
  sessions?: SessionCodec;
}

function jsonRpcError(status: number, message: string, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify({ jsonrpc: '2.0', error: { code: -32000, message }, id: null }), {
    status,
    headers: { 'content-type': 'application/json', ...headers },
  });
}

function initializeOf(body: unknown): { clientInfo?: { name?: unknown } } | undefined {
  const messages = Array.isArray(body) ? body : [body];
  for (const message of messages) {
    if (message && typeof message === 'object' && (message as { method?: unknown }).method === 'initialize') {
      return ((message as { params?: unknown }).params ?? {}) as { clientInfo?: { name?: unknown } };
    }
  }
  return undefined;
}

/**
 * Stateless Streamable HTTP, for runtimes that keep nothing between requests (Workers):
 * a fresh MCP server and transport per POST, JSON responses instead of SSE, no
 * server-initiated stream (GET and DELETE answer 405).
 *
 * A stateless server never sees the client's `initialize` again, so the session id it
 * returns is a signed, self-contained record of the client's name and a session tag;
 * requests that carry it act under that identity (the journal's actor, claims). An id
 * that does not verify is ignored rather than refused: the request still runs, anonymously.
 */
export function createStatelessMcpEndpoint(options: StatelessOptions): McpEndpoint {
  return {
    async handle(request) {
      if (request.method !== 'POST') {
        return jsonRpcError(405, 'This server is stateless: POST JSON-RPC messages to /mcp', { allow: 'POST' });
      }
      let body: unknown;
      try {
        body = await request.clone().json();
      } catch {
        return jsonRpcError(400, 'Parse error: the body must be JSON-RPC');
      }
      const init = initializeOf(body);
      let session: StatelessSession | undefined;
      if (init) {
        const name = typeof init.clientInfo?.name === 'string' ? init.clientInfo.name.slice(0, 100) : undefined;
        session = { ...(name ? { client: name } : {}), tag: crypto.randomUUID().slice(0, 8) };
      } else {
        const id = request.headers.get('mcp-session-id');
        session = id && options.sessions ? await options.sessions.decode(id) : undefined;
      }
      const server = options.makeServer(session);
      const transport = new WebStandardStreamableHTTPServerTransport({
        sessionIdGenerator: undefined,
        enableJsonResponse: true,
      });
      await server.connect(transport);
      const response = await transport.handleRequest(request, { parsedBody: body });
      if (!init || !options.sessions || !session || response.status !== 200) return response;
      const headers = new Headers(response.headers);
      headers.set('mcp-session-id', await options.sessions.encode(session));
      return new Response(response.body, { status: response.status, statusText: response.statusText, headers });
    },
    sessionCount: () => 0,
    async closeAll() {},
  };
}
