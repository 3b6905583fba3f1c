import type { Readable, Writable } from 'node:stream';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { isRefused, ownerHeaders } from '../daemon.js';
import {
  BAD_LINES_REPORTED,
  describe,
  describeBadLine,
  type Id,
  isConnectionError,
  isNotification,
  isRequest,
  isResponse,
  isSessionGone,
  LOST_IN_FLIGHT,
  type Message,
  type Notification,
  type Request,
  type Response,
} from './bridge-messages.js';
import { nodeFetch } from './node-fetch.js';
import type { Supervisor } from './supervisor.js';
import { ToolHints } from './tool-hints.js';

export { describeBadLine } from './bridge-messages.js';

/** JSON-RPC error code for "the bridge could not deliver this" (implementation-defined server error range). */
export const BRIDGE_ERROR_CODE = -32001;

export interface BridgeOptions {
  /** The server's MCP endpoint, e.g. http://127.0.0.1:3030/mcp */
  endpoint: URL;
  log: (line: string) => void;
  /** The owner's token, read again for every connection (a restarted server may have a new one). */
  token: () => string | undefined;
  /** Sent with every request: which backlog folder the session is bound to (x-backlog-dir). */
  headers?: Record<string, string>;
  /** Brings a server up (probe, start, replace); runs before every reconnection. */
  ensureServer: () => Promise<void>;
  supervisor: Supervisor;
  /** Time limit for the replayed `initialize` on a new session. */
  initTimeoutMs?: number;
  stdin?: Readable;
  stdout?: Writable;
}

interface InFlight {
  message: Request;
  /** The POST went through: an answer is expected on its stream, which a lost connection ends. */
  sent: boolean;
}

/**
 * Forwards raw JSON-RPC messages between this process's stdio (the MCP client) and the HTTP
 * server's /mcp (a Streamable HTTP session), both ways, notifications and errors included.
 *
 * When the connection is lost it reconnects through the supervisor (which restarts the server
 * if needed) and re-initialises the new HTTP session transparently: the client's original
 * `initialize` request and `notifications/initialized` are replayed and the replayed initialize
 * response is swallowed, so the client's next call just works. Messages that arrive meanwhile
 * are queued; a request whose answer was lost in flight gets a JSON-RPC error (it may or may not
 * have been applied), one that never reached the server is sent again.
 */
export class StdioHttpBridge {
  private readonly downstream: StdioServerTransport;
  private upstream: StreamableHTTPClientTransport | undefined;
  private generation = 0;
  private state: 'ready' | 'recovering' | 'down' | 'closed' = 'ready';
  private readonly queue: Message[] = [];
  private readonly inflight = new Map<Id, InFlight>();
  private initialize: Request | undefined;
  private initialized: Notification | undefined;
  private protocolVersion: string | undefined;
  /** Requests the bridge itself sends (replayed initialize, its own tools/list): answers never reach the client. */
  private readonly own = new Map<Id, (response: Response) => void>();
  private ownCount = 0;
  private readonly hints = new ToolHints();
  /** While the client's initialize is unanswered the session does not exist yet: later messages wait. */
  private initializing: Id | undefined;
  private readonly held: Message[] = [];
  private closing: Promise<void> | undefined;
  private badLines = 0;

  constructor(private readonly options: BridgeOptions) {
    this.downstream = new StdioServerTransport(options.stdin, options.stdout);
  }

  async start(): Promise<void> {
    this.downstream.onmessage = (message) => this.fromClient(message);
    this.downstream.onerror = (error) => this.onStdinError(error);
    await this.connectUpstream();
    await this.downstream.start();
  }

  /** Ends the HTTP session (best effort, bounded) and stops forwarding. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      this.state = 'closed';
      this.options.supervisor.stop();
      const upstream = this.upstream;
      this.upstream = undefined;
      if (upstream?.sessionId) {
        await Promise.race([
          upstream.terminateSession().catch(() => {}),
          new Promise((resolve) => setTimeout(resolve, 1000)),
        ]);
      }
      await upstream?.close().catch(() => {});
      await this.downstream.close().catch(() => {});
    })();
    return this.closing;
  }

  /**
   * A line the SDK could not take: the rest of stdin is still read. One short line each (not the
   * SDK's ~70-line validation dump), and only the first few, so a client stuck sending junk cannot
   * fill server.log.
   */
  private onStdinError(error: Error): void {
    const bad = describeBadLine(error);
    if (!bad) {
      this.options.log(`stdin: ${error.message}`);
      return;
    }
    this.badLines++;
    if (this.badLines <= BAD_LINES_REPORTED) this.options.log(`stdin: ignored ${bad}`);
    if (this.badLines === BAD_LINES_REPORTED) {
      this.options.log(`stdin: ${BAD_LINES_REPORTED} lines ignored; further ones are ignored without a word`);
    }
  }

  private async connectUpstream(): Promise<void> {
    const previous = this.upstream;
    const generation = ++this.generation;
    if (previous) {
      previous.onmessage = undefined;
      previous.onerror = undefined;
      await previous.close().catch(() => {});
    }
    const upstream = new StreamableHTTPClientTransport(this.options.endpoint, {
      fetch: nodeFetch,
      // A fresh connection per request: a pooled keep-alive socket to a server that just died would make
      // a request fail ambiguously ("other side closed") instead of plainly (ECONNREFUSED: safe to resend).
      requestInit: {
        headers: { connection: 'close', ...this.options.headers, ...ownerHeaders(this.options.token()) },
      },
      // The SDK's own stream reconnection is off: the supervisor owns recovery.
      reconnectionOptions: {
        initialReconnectionDelay: 1000,
        maxReconnectionDelay: 30_000,
        reconnectionDelayGrowFactor: 2,
        maxRetries: 0,
      },
    });
    upstream.onmessage = (message) => {
      if (generation === this.generation) this.fromServer(message);
    };
    upstream.onerror = (error) => {
      if (generation === this.generation) this.onUpstreamError(error);
    };
    await upstream.start();
    if (this.protocolVersion) upstream.setProtocolVersion(this.protocolVersion);
    this.upstream = upstream;
  }

  private fromClient(message: Message): void {
    if (isRequest(message) && message.method === 'initialize') {
      this.initialize = structuredClone(message);
    } else if (isNotification(message) && message.method === 'notifications/initialized') {
      this.initialized = structuredClone(message);
    }
    this.hints.watch(message);
    if (this.initializing !== undefined && this.state === 'ready') {
      this.held.push(message);
      return;
    }
    if (isRequest(message) && message.method === 'initialize' && this.state === 'ready') {
      this.initializing = message.id;
    }
    switch (this.state) {
      case 'ready':
        this.forward(message);
        if (isNotification(message) && message.method === 'notifications/initialized' && !this.hints.known) {
          void this.learnToolHints();
        }
        return;
      case 'recovering':
        this.queue.push(message);
        return;
      case 'down':
        this.queue.push(message);
        void this.recover('a message arrived while the server was unreachable');
        return;
      case 'closed':
        return;
    }
  }

  private forward(message: Message): void {
    const upstream = this.upstream;
    if (!upstream) {
      this.queue.push(message);
      return;
    }
    const generation = this.generation;
    const entry: InFlight | undefined = isRequest(message) ? { message, sent: false } : undefined;
    if (entry) this.inflight.set(entry.message.id, entry);
    upstream.send(message).then(
      () => {
        if (entry) entry.sent = true;
      },
      (error: unknown) => this.onSendFailure(message, error, generation),
    );
  }

  private fromServer(message: Message): void {
    if (isResponse(message) && message.id !== undefined) {
      const waiter = this.own.get(message.id);
      if (waiter) {
        this.own.delete(message.id);
        waiter(message);
        return;
      }
    }
    if (isResponse(message) && message.id !== undefined) {
      this.inflight.delete(message.id);
      this.hints.answered(message);
      if (this.initialize && message.id === this.initialize.id && 'result' in message) {
        const version = (message.result as { protocolVersion?: unknown }).protocolVersion;
        if (typeof version === 'string') {
          this.protocolVersion = version;
          this.upstream?.setProtocolVersion(version);
        }
      }
      if (message.id === this.initializing) this.releaseHeld();
    }
    this.toClient(message);
  }

  private releaseHeld(): void {
    this.initializing = undefined;
    for (const message of this.held.splice(0)) this.fromClient(message);
  }

  private toClient(message: Message): void {
    if (this.state === 'closed') return;
    this.downstream.send(message).catch((error: unknown) => {
      this.options.log(`stdout: ${error instanceof Error ? error.message : String(error)}`);
    });
  }

  private replyError(id: Id, message: string): void {
    this.toClient({ jsonrpc: '2.0', id, error: { code: BRIDGE_ERROR_CODE, message } });
    if (id === this.initializing) this.releaseHeld();
  }

  private onSendFailure(message: Message, error: unknown, generation: number): void {
    if (this.state === 'closed') return;
    if (isRequest(message)) {
      if (!this.inflight.has(message.id)) return; // already answered
      this.inflight.delete(message.id);
    }
    const current = generation === this.generation;
    const text = describe(error);
    // Never reached a live session, or safe to repeat: send it again once reconnected.
    if (isRefused(error) || isSessionGone(error) || (isConnectionError(error) && this.hints.safeToRepeat(message))) {
      if (this.state === 'ready' && !current) this.forward(message);
      else this.queue.push(message);
      if (current) void this.recover(text);
      return;
    }
    if (isConnectionError(error)) {
      if (isRequest(message)) {
        this.replyError(message.id, `${LOST_IN_FLIGHT} (${text})`);
      }
      if (current) void this.recover(text);
      return;
    }
    if (isRequest(message)) this.replyError(message.id, `backlog-mcp bridge: ${text}`);
    else this.options.log(`Could not forward ${'method' in message ? message.method : 'a message'}: ${text}`);
  }

  private onUpstreamError(error: Error): void {
    if (this.state !== 'ready') return;
    if (isRefused(error) || isSessionGone(error) || isConnectionError(error)) {
      void this.recover(error.message);
    } else {
      this.options.log(`Server connection: ${error.message}`);
    }
  }

  private async recover(reason: string): Promise<void> {
    if (this.state === 'recovering' || this.state === 'closed') return;
    this.state = 'recovering';
    this.options.log(`Lost the connection to the server (${reason}); reconnecting`);
    // Requests that reached the old session will never be answered now.
    // Those that are safe to repeat are sent again after reconnecting.
    for (const [id, entry] of this.inflight) {
      if (!entry.sent) continue;
      this.inflight.delete(id);
      if (this.hints.safeToRepeat(entry.message)) this.queue.push(entry.message);
      else this.replyError(id, LOST_IN_FLIGHT);
    }
    const ok = await this.options.supervisor.run('Reconnecting to the backlog-mcp server', async () => {
      await this.options.ensureServer();
      await this.connectUpstream();
      await this.replayInitialize();
    });
    if (this.state !== 'recovering') return;
    if (ok) {
      this.state = 'ready';
      this.options.log('Reconnected to the backlog-mcp server');
      for (const message of this.queue.splice(0)) {
        // The client's first initialize may itself be queued: what follows it waits for its answer.
        if (this.initializing !== undefined && !(isRequest(message) && message.id === this.initializing)) {
          this.held.push(message);
        } else {
          this.forward(message);
        }
      }
      return;
    }
    this.state = 'down';
    for (const message of this.queue.splice(0)) {
      if (isRequest(message)) {
        this.replyError(
          message.id,
          'The backlog-mcp server is unreachable; the bridge gave up reconnecting for now (see <data>/.state/server.log). ' +
            'The next call tries again.',
        );
      }
    }
  }

  /** Sends a request of the bridge's own on the current session and waits for its answer. */
  private async ownRequest(upstream: StreamableHTTPClientTransport, message: Request): Promise<Response> {
    const id = `backlog-bridge-${++this.ownCount}`;
    const timeoutMs = this.options.initTimeoutMs ?? 10_000;
    return new Promise<Response>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.own.delete(id);
        reject(new Error(`${message.method} got no answer within ${timeoutMs} ms`));
      }, timeoutMs);
      this.own.set(id, (answer) => {
        clearTimeout(timer);
        resolve(answer);
      });
      upstream.send({ ...message, id }).catch((error: unknown) => {
        clearTimeout(timer);
        this.own.delete(id);
        reject(error);
      });
    });
  }

  /** Which tools are safe to repeat, asked once per bridge (clients need not have listed tools themselves). */
  private async learnToolHints(): Promise<void> {
    const upstream = this.upstream;
    if (!upstream) return;
    try {
      const answer = await this.ownRequest(upstream, { jsonrpc: '2.0', id: 0, method: 'tools/list', params: {} });
      if ('result' in answer) this.hints.learn(answer.result);
    } catch {
      // Unknown hints only mean fewer automatic repeats.
    }
  }

  /** Re-initialises a new HTTP session with the client's own initialize, hiding the answer from it. */
  private async replayInitialize(): Promise<void> {
    const upstream = this.upstream;
    // Not yet answered: the client's own initialize is still queued and will open the new session itself.
    if (!this.initialize || !upstream || this.initializing !== undefined) return;
    const response = await this.ownRequest(upstream, this.initialize);
    if ('error' in response) throw new Error(`the server refused initialize: ${response.error.message}`);
    const version = (response.result as { protocolVersion?: unknown }).protocolVersion;
    if (typeof version === 'string') {
      this.protocolVersion = version;
      upstream.setProtocolVersion(version);
    }
    if (this.initialized) await upstream.send(this.initialized);
    if (!this.hints.known) void this.learnToolHints();
  }
}
