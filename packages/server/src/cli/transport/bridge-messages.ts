/** The JSON-RPC messages the bridge passes on, told apart, and how it words what goes wrong with them. */

import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';
import { isRefused } from '../daemon.js';

export type Id = string | number;
export type Message = JSONRPCMessage;
export type Request = Extract<Message, { method: string; id: Id }>;
export type Notification = Exclude<Extract<Message, { method: string }>, { id: Id }>;
export type Response = Exclude<Message, { method: string }>;

export const isRequest = (m: Message): m is Request => 'method' in m && 'id' in m && m.id !== undefined;
export const isNotification = (m: Message): m is Notification => 'method' in m && !('id' in m && m.id !== undefined);
export const isResponse = (m: Message): m is Response => !('method' in m) && 'id' in m;

export const BAD_LINES_REPORTED = 20;

/** What was wrong with a line on stdin, in a few words, or undefined if the error is not about one line. */
export function describeBadLine(error: Error): string | undefined {
  // JSON.parse's own message is short and quotes the start of the line.
  if (error instanceof SyntaxError) return `a line that is not JSON (${error.message})`;
  if (error.name === 'ZodError') {
    return 'a line that is not a JSON-RPC 2.0 message ("jsonrpc": "2.0" with a method, or an id with a result or error)';
  }
  return undefined;
}

export const LOST_IN_FLIGHT =
  'The connection to the backlog-mcp server was lost while this request was in flight; it may or may not have ' +
  'been applied. The bridge has reconnected: check, then retry.';

export function describe(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = (error as { cause?: { code?: unknown; message?: unknown } }).cause;
  const detail = cause ? String(cause.code ?? cause.message ?? '') : '';
  return detail ? `${error.message}: ${detail}` : error.message;
}

export function isSessionGone(error: unknown): boolean {
  return (error as { code?: unknown })?.code === 404;
}

/** Network-level failures (as opposed to an HTTP error answer): the server is gone or the stream broke. */
export function isConnectionError(error: unknown): boolean {
  if (isRefused(error)) return true;
  const text = error instanceof Error ? `${error.message} ${String((error as { cause?: unknown }).cause ?? '')}` : '';
  return /fetch failed|SSE stream disconnected|terminated|other side closed|socket|ECONNRESET|EPIPE|Maximum reconnection attempts|Failed to reconnect|Failed to open SSE stream/i.test(
    text,
  );
}
