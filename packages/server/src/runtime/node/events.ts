import type { ChangeWireEvent, StreamReady } from '@backlog-mcp/shared';
import type { Context } from 'hono';
import { type SSEStreamingApi, streamSSE } from 'hono/streaming';
import type { ChangeEmitter, ChangeEvent } from '../../core/events.js';

/** What the viewer receives: the change without the whole item body (it fetches what it shows). */
export type WireEvent = ChangeWireEvent;

const REPLAY_LIMIT = 1000;

/**
 * Open `/events` streams at once (docs/limits.md): each holds a socket, a file descriptor
 * and a subscriber until its client goes away, so an unbounded number would exhaust the
 * process's descriptors (3,000 streams held 3,000). A client is a remote address: the only
 * thing about a connection its client cannot vary at will (a header or a cookie it can; and
 * the server's credentials are one token shared by all its clients). On a loopback server every
 * client shares 127.0.0.1, so there `perClient` is the effective cap; a person's browser holds
 * at most 6 HTTP/1.1 connections per server, so even several browsers stay well below it.
 * Past either cap: 503 with Retry-After, and the stream slot is freed as soon as a client goes.
 */
export const EVENT_STREAM_LIMITS = {
  /** On the whole server. */
  perServer: 200,
  /** Per client, i.e. per remote address. */
  perClient: 50,
  /** What a refused client is told to wait (the viewer retries by itself after 3 s). */
  retryAfterSeconds: 5,
} as const;
const HEARTBEAT_MS = 15_000;

function toWire(id: number, event: ChangeEvent): WireEvent {
  const wire: WireEvent = { id, kind: event.kind, tool: event.tool, at: event.at };
  if (event.actor) wire.actor = event.actor;
  if (event.kind === 'resource_changed') wire.uri = event.uri;
  else wire.item_id = event.id;
  if (event.kind === 'updated') wire.fields = event.fields;
  if (event.kind === 'created' || event.kind === 'updated') {
    wire.title = event.item.title;
    wire.status = event.item.status;
  }
  return wire;
}

/** The caps of EVENT_STREAM_LIMITS, shared by the event streams of every backlog the server has open. */
export class StreamAdmission {
  private open = 0;
  private readonly openPerClient = new Map<string, number>();

  /** Streams open now (reported by /health). */
  get openStreams(): number {
    return this.open;
  }

  /** Why a new stream from `client` is refused, or undefined when it may open (and is counted). */
  admit(client: string): string | undefined {
    const { perServer, perClient } = EVENT_STREAM_LIMITS;
    if (this.open >= perServer) {
      return `Too many open event streams: this server allows ${perServer} open event streams at once. Close one (a viewer tab) or retry later.`;
    }
    const mine = this.openPerClient.get(client) ?? 0;
    if (mine >= perClient) {
      return `Too many open event streams from ${client}: at most ${perClient} open event streams per client (remote address). Close one (a viewer tab) or retry later.`;
    }
    this.open++;
    this.openPerClient.set(client, mine + 1);
    return undefined;
  }

  leave(client: string): void {
    this.open--;
    const left = (this.openPerClient.get(client) ?? 1) - 1;
    if (left > 0) this.openPerClient.set(client, left);
    else this.openPerClient.delete(client);
  }
}

/**
 * Server-Sent Events of every change, numbered, with a replay buffer so a client
 * that reconnects with Last-Event-ID misses nothing that happened meanwhile.
 */
export class EventHub {
  private readonly buffer: WireEvent[] = [];
  private readonly subscribers = new Set<(event: WireEvent) => void>();
  private nextId = 1;
  /** Event ids restart with the process (and a reopened backlog): a client that sees another stream id reloads. */
  private readonly stream = crypto.randomUUID();

  constructor(
    emitter: ChangeEmitter,
    private readonly admission: StreamAdmission = new StreamAdmission(),
  ) {
    emitter.on((event) => this.publish(event));
  }

  private publish(event: ChangeEvent): void {
    const wire = toWire(this.nextId++, event);
    this.buffer.push(wire);
    if (this.buffer.length > REPLAY_LIMIT) this.buffer.shift();
    for (const subscriber of this.subscribers) subscriber(wire);
  }

  /** Events after `lastId`, or undefined when they are no longer buffered (the client should reload). */
  since(lastId: number): WireEvent[] | undefined {
    const first = this.buffer[0];
    if (first && lastId < first.id - 1) return undefined;
    return this.buffer.filter((event) => event.id > lastId);
  }

  /**
   * The change stream for one client. `address` keys the per-client cap (the remote address;
   * `'unknown'` when the runtime cannot tell, and then all such clients share one allowance).
   */
  handle(c: Context, address: string | undefined, onEnd?: () => void): Response {
    const client = address ?? 'unknown';
    const refusal = this.admission.admit(client);
    if (refusal) {
      onEnd?.();
      const { retryAfterSeconds } = EVENT_STREAM_LIMITS;
      return c.json({ error: refusal }, 503, { 'retry-after': String(retryAfterSeconds) });
    }
    let released = false;
    const release = () => {
      if (released) return;
      released = true;
      this.admission.leave(client);
      onEnd?.();
    };
    const lastId = Number(c.req.header('last-event-id') ?? c.req.query('since') ?? Number.NaN);
    return streamSSE(c, async (stream) => {
      // A client that goes away frees its slot at once, whatever the stream was waiting for.
      stream.onAbort(release);
      try {
        await this.serve(stream, lastId);
      } finally {
        release();
      }
    });
  }

  private async serve(stream: SSEStreamingApi, lastId: number): Promise<void> {
    const queue: WireEvent[] = [];
    let wake: (() => void) | undefined;
    const subscriber = (event: WireEvent) => {
      queue.push(event);
      wake?.();
    };
    this.subscribers.add(subscriber);
    stream.onAbort(() => {
      this.subscribers.delete(subscriber);
      wake?.();
    });
    try {
      if (Number.isFinite(lastId)) {
        const missed = this.since(lastId);
        if (missed) queue.unshift(...missed);
        else await stream.writeSSE({ event: 'reset', data: '{}' });
      }
      const ready: StreamReady = { last_id: this.nextId - 1, stream: this.stream };
      await stream.writeSSE({ event: 'ready', data: JSON.stringify(ready) });
      while (!stream.aborted) {
        while (queue.length > 0 && !stream.aborted) {
          const event = queue.shift() as WireEvent;
          await stream.writeSSE({ id: String(event.id), event: 'change', data: JSON.stringify(event) });
        }
        await new Promise<void>((resolve) => {
          wake = resolve;
          setTimeout(resolve, HEARTBEAT_MS);
        });
        wake = undefined;
        if (queue.length === 0 && !stream.aborted) await stream.writeSSE({ event: 'heartbeat', data: '' });
      }
    } finally {
      this.subscribers.delete(subscriber);
    }
  }
}
