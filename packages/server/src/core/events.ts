import type { Item } from '@backlog-mcp/shared';

/** What changed, for the subscribers downstream of the core (SSE, viewer, caches). */
export type ChangeEvent =
  | { kind: 'created'; id: string; item: Item; actor?: string; tool: string; at: string }
  | { kind: 'updated'; id: string; item: Item; fields: string[]; actor?: string; tool: string; at: string }
  | { kind: 'deleted'; id: string; actor?: string; tool: string; at: string }
  | { kind: 'resource_changed'; uri: string; actor?: string; tool: string; at: string };

export type ChangeListener = (event: ChangeEvent) => void;

/** A minimal typed emitter: the core must not depend on node:events (it also runs in Workers). */
export class ChangeEmitter {
  private readonly listeners = new Set<ChangeListener>();

  on(listener: ChangeListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  emit(event: ChangeEvent): void {
    for (const listener of this.listeners) {
      try {
        listener(event);
      } catch {
        // A broken subscriber must never fail the write that already happened.
      }
    }
  }
}
