import type { Stub } from '../api';
import { TypeBadge } from './bits';

/** "12m left", "3h left", "expired": how long the holder's claim still runs, coarse on purpose. */
export function leaseLeft(until: string | undefined, now = Date.now()): string | undefined {
  if (!until) return undefined;
  const ms = Date.parse(until) - now;
  if (Number.isNaN(ms)) return undefined;
  if (ms <= 0) return 'expired';
  const minutes = Math.ceil(ms / 60_000);
  if (minutes < 60) return `${minutes}m left`;
  const hours = Math.floor(minutes / 60);
  return hours < 48 ? `${hours}h left` : `${Math.floor(hours / 24)}d left`;
}

interface CardProps {
  stub: Stub;
  top: number;
  selected: boolean;
  flash: boolean;
  /** The title of the card's epic, when known. */
  epic?: string;
  now: number;
  onOpen(id: string): void;
}

/** One item on the board: a button, so Tab reaches it and Enter or Space opens it. */
export function BoardCard({ stub, top, selected, flash, epic, now, onOpen }: CardProps) {
  const lease = leaseLeft(stub.lease_until, now);
  const classes = ['card', selected ? 'selected' : '', flash ? 'flash' : ''].filter(Boolean).join(' ');
  return (
    <button
      type="button"
      class={classes}
      style={{ top: `${top}px` }}
      data-id={stub.id}
      data-status={stub.status}
      aria-pressed={selected}
      onClick={() => onOpen(stub.id)}
    >
      <span class="card-head">
        <span class="card-id">{stub.id}</span>
        <TypeBadge type={stub.type} />
        {stub.priority ? <span class={`card-priority priority-${stub.priority}`}>{stub.priority}</span> : null}
      </span>
      <span class="card-title">{stub.title}</span>
      <span class="card-foot">
        {stub.epic_id ? (
          <span class="card-epic" title={epic ?? stub.epic_id}>
            {epic ?? stub.epic_id}
          </span>
        ) : null}
        {stub.assignee ? (
          <span class={`card-claim${lease === 'expired' ? ' expired' : ''}`} title={stub.lease_until}>
            {stub.assignee}
            {lease ? ` · ${lease}` : ''}
          </span>
        ) : null}
      </span>
    </button>
  );
}
