import type { StreamReady } from '@backlog-mcp/shared';
import type { Context } from 'hono';
import type { D1Database } from '../../adapters/d1/d1-types.js';
import { D1Journal } from '../../adapters/d1/journal.js';
import type { ActivityEntry } from '../../core/activity.js';
import type { WireEvent } from '../node/events.js';

const BATCH = 200;
const RETRY_MS = 1000;

function toWire(seq: number, entry: ActivityEntry, current: Map<string, { title: string; status: string }>): WireEvent {
  const kind: WireEvent['kind'] =
    entry.action === 'edited' ? (entry.id ? 'updated' : 'resource_changed') : entry.action;
  const wire: WireEvent = { id: seq, kind, tool: entry.tool, at: entry.at };
  if (entry.actor) wire.actor = entry.actor;
  if (entry.id) wire.item_id = entry.id;
  if (entry.uri) wire.uri = entry.uri;
  if (kind === 'updated') wire.fields = entry.fields ?? [];
  const now = entry.id ? current.get(entry.id) : undefined;
  if (now && kind !== 'deleted') {
    wire.title = now.title;
    wire.status = now.status;
  }
  return wire;
}

/**
 * The viewer's change stream without an in-process emitter: a Worker request cannot
 * see writes made by other requests, so this polls the activity journal (whose `seq` is
 * the event id) for a while, then ends the response. EventSource reconnects by itself
 * with Last-Event-ID, so nothing is missed; `reset` is sent when the client is ahead of
 * the journal (a new database). Costs one D1 read per poll.
 */
export function journalEvents(db: D1Database, options: { holdMs: number; pollMs: number }) {
  return async (c: Context): Promise<Response> => {
    const journal = new D1Journal(db);
    const raw = c.req.header('last-event-id') ?? c.req.query('since');
    const asked = raw !== undefined && raw !== '' ? Number(raw) : Number.NaN;
    const last = await journal.lastSeq();
    let cursor = last;
    let reset = false;
    if (Number.isInteger(asked) && asked >= 0) {
      if (asked > last) reset = true;
      else cursor = asked;
    }
    const encoder = new TextEncoder();
    let closed = false;
    const stream = new ReadableStream<Uint8Array>({
      async start(controller) {
        const send = (text: string) => controller.enqueue(encoder.encode(text));
        const deadline = Date.now() + options.holdMs;
        try {
          send(`retry: ${RETRY_MS}\n\n`);
          if (reset) send('event: reset\ndata: {}\n\n');
          // The journal's seq outlives requests and deploys: one stream, unless the database is new (reset above).
          const ready: StreamReady = { last_id: cursor, stream: 'd1-journal', mode: 'polling' };
          send(`event: ready\ndata: ${JSON.stringify(ready)}\n\n`);
          while (!closed) {
            const rows = await journal.since(cursor, BATCH);
            if (rows.length) {
              const ids = [...new Set(rows.flatMap((row) => (row.entry.id ? [row.entry.id] : [])))];
              const current = new Map<string, { title: string; status: string }>();
              if (ids.length) {
                const { results } = await db
                  .prepare(`SELECT id, title, status FROM items WHERE id IN (${ids.map(() => '?').join(', ')})`)
                  .bind(...ids)
                  .all<{ id: string; title: string; status: string }>();
                for (const row of results) current.set(row.id, row);
              }
              for (const row of rows) {
                send(`id: ${row.seq}\nevent: change\ndata: ${JSON.stringify(toWire(row.seq, row.entry, current))}\n\n`);
                cursor = row.seq;
              }
              if (rows.length === BATCH) continue;
            }
            if (Date.now() + options.pollMs > deadline) break;
            await new Promise((resolve) => setTimeout(resolve, options.pollMs));
          }
        } catch {
          // The database hiccupped: end this response, the browser reconnects and replays.
        }
        if (!closed) controller.close();
      },
      cancel() {
        closed = true;
      },
    });
    return new Response(stream, {
      headers: {
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-store',
        'x-accel-buffering': 'no',
      },
    });
  };
}
