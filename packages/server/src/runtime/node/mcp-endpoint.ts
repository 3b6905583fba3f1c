import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { WebStandardStreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js';
import type { McpEndpoint } from '../../app/mcp-endpoint.js';
import { toolCallerOf } from '../../mcp/server.js';
import type { ToolCaller } from '../../mcp/tool.js';
import { directToolCall, parseError, takesDirectPath } from './mcp-direct.js';

interface Session {
  transport: WebStandardStreamableHTTPServerTransport;
  server: McpServer;
  callTool: ToolCaller | undefined;
  lastSeen: number;
}

/** The MCP server for a new session, and what to do when the session ends (let its backlog go). */
export interface SessionServer {
  server: McpServer;
  release(): void;
}

const IDLE_LIMIT_MS = 24 * 60 * 60 * 1000;
const MAX_SESSIONS = 1000;

export function jsonRpcError(status: number, message: string): Response {
  return new Response(JSON.stringify({ jsonrpc: '2.0', error: { code: -32000, message }, id: null }), {
    status,
    headers: { 'content-type': 'application/json' },
  });
}

/**
 * Stateful Streamable HTTP: one MCP server per session (so each knows its client's name for the
 * journal), bound for its whole life to the backlog `open` chose from its first request. `open`
 * answers a Response instead when the session may not start (a folder that is not a backlog).
 */
export function createMcpEndpoint(open: (request: Request) => Promise<SessionServer | Response>): McpEndpoint {
  const sessions = new Map<string, Session>();

  function evictIdle(now: number): void {
    for (const [id, session] of sessions) {
      if (now - session.lastSeen > IDLE_LIMIT_MS || sessions.size > MAX_SESSIONS) {
        sessions.delete(id);
        void session.transport.close();
      }
    }
  }

  return {
    async handle(request) {
      const now = Date.now();
      const sessionId = request.headers.get('mcp-session-id');
      if (sessionId) {
        const session = sessions.get(sessionId);
        if (!session) return jsonRpcError(404, 'Session not found; start a new session with initialize');
        session.lastSeen = now;
        if (!session.callTool || !takesDirectPath(request)) return answer(session.transport, request);
        // tools/call, nearly every request, is answered here; anything else goes to the SDK as parsed.
        let message: unknown;
        try {
          message = JSON.parse(await request.text());
        } catch {
          return parseError();
        }
        const direct = await directToolCall(message, session.callTool, sessionId);
        return direct ?? answer(session.transport, request, message);
      }
      if (request.method !== 'POST') return jsonRpcError(400, 'Missing mcp-session-id header');
      evictIdle(now);
      const opened = await open(request);
      if (opened instanceof Response) return opened;
      const { server } = opened;
      let released = false;
      const release = () => {
        if (released) return;
        released = true;
        opened.release();
      };
      const transport: WebStandardStreamableHTTPServerTransport = new WebStandardStreamableHTTPServerTransport({
        sessionIdGenerator: () => crypto.randomUUID(),
        // Our tools answer with one message and send nothing while working: a plain JSON body costs
        // the client less than an event stream (~1 ms per call measured). Server-initiated messages,
        // if any come, still have the session's GET stream.
        enableJsonResponse: true,
        onsessioninitialized: (id) => {
          sessions.set(id, { transport, server, callTool: toolCallerOf(server), lastSeen: Date.now() });
        },
        onsessionclosed: (id) => {
          sessions.delete(id);
          release();
        },
      });
      transport.onclose = () => {
        if (transport.sessionId) sessions.delete(transport.sessionId);
        release();
      };
      await server.connect(transport);
      const response = await transport.handleRequest(request);
      releaseAnsweredStreams(transport);
      // A first request that did not start a session (not an initialize, or a malformed one) holds nothing.
      if (!transport.sessionId || !sessions.has(transport.sessionId)) {
        release();
        void transport.close().catch(() => undefined);
      }
      return response;
    },
    sessionCount: () => sessions.size,
    async closeAll() {
      const all = [...sessions.values()];
      sessions.clear();
      await Promise.all(all.map((session) => session.transport.close().catch(() => undefined)));
    },
  };
}

async function answer(
  transport: WebStandardStreamableHTTPServerTransport,
  request: Request,
  parsedBody?: unknown,
): Promise<Response> {
  const response = await transport.handleRequest(request, parsedBody === undefined ? undefined : { parsedBody });
  releaseAnsweredStreams(transport);
  return response;
}

/**
 * Works around a leak in the SDK's transport (1.32.2, the latest): in JSON response mode it files
 * each POST under a stream id in a private map and, once the answer is sent, never removes it
 * (only SSE streams are cleaned up). Every call of a session then stays in memory with its answer:
 * 10,000 creates from 4 clients left the server at 328 MB instead of 128 MB after a restart
 * (docs/benchmarks.md). After each POST, the streams whose requests are all answered are dropped.
 * If a later SDK renames these fields, this does nothing.
 */
export function releaseAnsweredStreams(transport: WebStandardStreamableHTTPServerTransport): void {
  const internals = transport as unknown as {
    _streamMapping?: unknown;
    _requestToStreamMapping?: unknown;
  };
  const streams = internals._streamMapping;
  const waiting = internals._requestToStreamMapping;
  if (!(streams instanceof Map) || !(waiting instanceof Map)) return;
  const open = new Set(waiting.values());
  for (const [id, stream] of streams) {
    const answered = typeof (stream as { resolveJson?: unknown }).resolveJson === 'function' && !open.has(id);
    if (answered) streams.delete(id);
  }
}
