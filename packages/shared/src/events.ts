/**
 * One change as the `/events` stream sends it (Server-Sent Events, `data:` is this as JSON).
 * The server writes it, on Node and on Workers; the viewer reads it. The item body is left
 * out: a client fetches what it shows.
 */
export interface ChangeWireEvent {
  /** Increasing per stream; sent back as Last-Event-ID to replay what was missed. */
  id: number;
  kind: 'created' | 'updated' | 'deleted' | 'resource_changed';
  item_id?: string;
  uri?: string;
  fields?: string[];
  actor?: string;
  tool: string;
  at: string;
  title?: string;
  status?: string;
}

/**
 * The first event of every `/events` response. `stream` names the numbering `id`s belong to:
 * the same stream after a reconnect means the server replayed what was missed (or said `reset`);
 * another one (a restarted server) means a client must reload what it shows.
 */
export interface StreamReady {
  last_id: number;
  stream: string;
  /** Workers end each response after a while and the browser reconnects: not an outage. */
  mode?: 'polling';
}
