import { SUPPORTED_PROTOCOL_VERSIONS } from '@modelcontextprotocol/sdk/types.js';
import type { ToolCaller } from '../../mcp/tool.js';

/**
 * The direct path for `tools/call` on an open session (ADR 0021). The SDK's transport and protocol
 * parse every message with several zod schemas (0.7 ms of a create's 5 ms of CPU, most of it
 * `isInitializeRequest` failing on every non-initialize message), and only then call the tool.
 * Here a request that the SDK would accept as it is, and that is a plain `tools/call`, goes
 * straight to the tool; everything else (initialize, notifications, other methods, anything
 * unusual) still goes through the SDK, which keeps its exact behaviour and error messages.
 */

/** The POST headers the SDK's transport would accept without a word (else it answers them itself). */
export function takesDirectPath(request: Request): boolean {
  if (request.method !== 'POST') return false;
  const headers = request.headers;
  const accept = headers.get('accept');
  if (!accept?.includes('application/json') || !accept.includes('text/event-stream')) return false;
  const type = headers.get('content-type');
  if (type?.split(';', 1)[0]?.trim().toLowerCase() !== 'application/json') return false;
  const version = headers.get('mcp-protocol-version');
  return version === null || SUPPORTED_PROTOCOL_VERSIONS.includes(version);
}

const REQUEST_KEYS = new Set(['jsonrpc', 'id', 'method', 'params']);
const PARAMS_KEYS = new Set(['name', 'arguments', '_meta']);

/** The answer to a plain tools/call, or undefined (nothing done) for the SDK to answer. */
export async function directToolCall(
  message: unknown,
  callTool: ToolCaller,
  sessionId: string,
): Promise<Response | undefined> {
  if (!isRecord(message) || !onlyKeys(message, REQUEST_KEYS)) return undefined;
  const { jsonrpc, id, method, params } = message;
  if (jsonrpc !== '2.0' || method !== 'tools/call') return undefined;
  if (typeof id !== 'string' && !Number.isInteger(id)) return undefined;
  if (!isRecord(params) || !onlyKeys(params, PARAMS_KEYS) || typeof params.name !== 'string') return undefined;
  const args = params.arguments;
  if (args !== undefined && !isRecord(args)) return undefined;
  const result = await callTool({ name: params.name, ...(args === undefined ? {} : { arguments: args }) });
  if (!result) return undefined;
  return new Response(JSON.stringify({ result, jsonrpc: '2.0', id }), {
    status: 200,
    headers: { 'Content-Type': 'application/json', 'mcp-session-id': sessionId },
  });
}

/** What the SDK's transport answers to a body that is not JSON. */
export function parseError(): Response {
  return new Response(
    JSON.stringify({ jsonrpc: '2.0', error: { code: -32700, message: 'Parse error: Invalid JSON' }, id: null }),
    {
      status: 400,
      headers: { 'Content-Type': 'application/json' },
    },
  );
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function onlyKeys(record: Record<string, unknown>, allowed: ReadonlySet<string>): boolean {
  for (const key in record) if (!allowed.has(key)) return false;
  return true;
}
