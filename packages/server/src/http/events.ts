import type { ChangeWireEvent, StreamReady } from '@backlog-mcp/shared';
import type { Context } from 'hono';
import { streamSSE } from 'hono/streaming';
import type { ChangeEmitter, ChangeEvent } from '../core/events.js';

/** What the viewer receives: the change without the whole item body (it fetches what it shows). */
export type WireEvent = ChangeWireEvent;

const REPLAY_LIMIT = 1000;

/**
 * Open `/events` streams at once (docs/limits.md): each holds a socket, a file descriptor
 * and a subscriber until its client goes away.
 */
export const EVENT_STREAM_LIMITS = {
  /** On the whole server. */
  perServer: 200,
  /** Per client, i.e. per remote address. */
  perClient: 50,
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

/**
 * Server-Sent Events of every change, numbered, with a replay buffer so a client
 * that reconnects with Last-Event-ID misses nothing that happened meanwhile.
 */
export class EventHub {
  private readonly buffer: WireEvent[] = [];
  private readonly subscribers = new Set<(event: WireEvent) => void>();
  private nextId = 1;
  /** Event ids restart with the process: a client that sees another stream id reloads. */
  private readonly stream = crypto.randomUUID();

  constructor(emitter: ChangeEmitter) {
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

  handle(c: Context): Response {
    const lastId = Number(c.req.header('last-event-id') ?? c.req.query('since') ?? Number.NaN);
    return streamSSE(c, async (stream) => {
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
      this.subscribers.delete(subscriber);
    });
  }
}
