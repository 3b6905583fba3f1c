import type { ChangeWireEvent, StreamReady } from '@backlog-mcp/shared';
import { inProject, type ProjectKey } from './scope';
// The server's change stream of one backlog. EventSource reconnects by itself and sends
// Last-Event-ID, so the server replays what was missed; `reset` means it could not, and we reload data.

/** The wire shape is the server's, from the shared package. */
export type ChangeEvent = ChangeWireEvent;

const POLLING_GRACE_MS = 5000;

export type LiveState = 'connecting' | 'live' | 'offline';

export interface LiveHandlers {
  /** A batch of changes that arrived together (coalesced per animation frame). */
  onChanges(events: ChangeEvent[]): void;
  /** The server could not replay: everything on screen may be stale. */
  onReset(): void;
  onState(state: LiveState): void;
}

/** Follows `project`'s changes until the returned function is called (the page shows another). */
export function connectLive(project: ProjectKey, handlers: LiveHandlers): () => void {
  let source: EventSource;
  let lastId: string | undefined;
  let closed = false;
  let retry: ReturnType<typeof setTimeout> | undefined;
  let pending: ChangeEvent[] = [];
  let scheduled = false;
  let wasOffline = false;
  let streamId: string | undefined;
  let polling = false;
  let quiet: ReturnType<typeof setTimeout> | undefined;
  const flush = () => {
    scheduled = false;
    // Closed meanwhile: these changes are another project's now.
    if (closed) return;
    const batch = pending;
    pending = [];
    if (batch.length) handlers.onChanges(batch);
  };
  const open = () => {
    handlers.onState('connecting');
    // After a hard close EventSource forgets Last-Event-ID; `since` carries it instead.
    source = new EventSource(inProject(lastId ? `/events?since=${encodeURIComponent(lastId)}` : '/events', project));
    source.addEventListener('ready', (message) => {
      clearTimeout(quiet);
      handlers.onState('live');
      const ready = readyInfo((message as MessageEvent<string>).data);
      const stream = ready.stream;
      polling = ready.polling;
      // Same stream: the server replayed what we missed (or sent `reset`). Another one (or an
      // old server that does not say): it restarted and its event numbers too, so reload.
      if (wasOffline && (stream === undefined || stream !== streamId)) handlers.onReset();
      wasOffline = false;
      streamId = stream;
    });
    source.addEventListener('change', (message) => {
      const event = message as MessageEvent<string>;
      if (event.lastEventId) lastId = event.lastEventId;
      try {
        pending.push(JSON.parse(event.data) as ChangeEvent);
      } catch {
        return;
      }
      if (!scheduled) {
        scheduled = true;
        // A microtask, not a frame: a hidden tab still applies changes promptly.
        queueMicrotask(flush);
      }
    });
    source.addEventListener('reset', () => handlers.onReset());
    source.addEventListener('error', () => {
      wasOffline = true;
      if (source.readyState === EventSource.CLOSED) {
        handlers.onState('offline');
        if (!closed) retry = setTimeout(open, 3000);
      } else if (polling) {
        // A polling stream (Workers) ends every response on purpose and reconnects within a second:
        // only say "connecting" if that reconnect does not come.
        clearTimeout(quiet);
        quiet = setTimeout(() => handlers.onState('connecting'), POLLING_GRACE_MS);
      } else handlers.onState('connecting');
    });
  };
  open();
  return () => {
    closed = true;
    clearTimeout(retry);
    clearTimeout(quiet);
    source.close();
  };
}

function readyInfo(data: string): { stream?: string; polling: boolean } {
  try {
    const ready = JSON.parse(data) as Partial<StreamReady>;
    return {
      ...(typeof ready.stream === 'string' ? { stream: ready.stream } : {}),
      polling: ready.mode === 'polling',
    };
  } catch {
    return { polling: false };
  }
}
