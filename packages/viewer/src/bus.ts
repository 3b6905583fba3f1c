import type { ChangeEvent } from './live';

/** Fan-out of live changes to the parts of the page that show something they touch. */
type Listener = (events: ChangeEvent[] | 'reset') => void;
const listeners = new Set<Listener>();

export function onLive(listener: Listener): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

export function publish(events: ChangeEvent[] | 'reset'): void {
  for (const listener of listeners) listener(events);
}
