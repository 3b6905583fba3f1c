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
