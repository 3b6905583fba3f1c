import type { Item } from '@backlog-mcp/shared';
import { conflict, invalid } from './errors.js';

export const DEFAULT_LEASE_MS = 30 * 60 * 1000;

/** Who holds the item right now; an expired lease holds nothing. */
export function activeHolder(item: Item, now: Date): string | undefined {
  if (!item.assignee || !item.lease_until) return undefined;
  return Date.parse(item.lease_until) > now.getTime() ? item.assignee : undefined;
}

export interface ClaimRequest {
  claim?: boolean;
  /** The claimant: an explicit `agent` argument, or the calling session's identity. */
  agent?: string;
  statusGiven: boolean;
  now: Date;
  leaseMs: number;
}

/**
 * Applies claim / release / lease renewal to `next`. Runs inside the core's write
 * lock, so checking the holder and taking the claim are one atomic step.
 */
export function applyClaim(current: Item, next: Item, request: ClaimRequest): void {
  const { claim, agent, now } = request;
  const holder = activeHolder(current, now);
  const lease = new Date(now.getTime() + request.leaseMs).toISOString();
  if (claim === true) {
    if (!agent) throw invalid('agent', 'a name for the claiming agent (the client sent none)', agent);
    if (holder && holder !== agent) {
      throw conflict(
        `claim: ${current.id} is held by ${holder} until ${current.lease_until}. ` +
          'Pick other work (backlog_list ready=true) or wait for the lease to end.',
        'claim',
      );
    }
    next.assignee = agent;
    next.lease_until = lease;
    if (!request.statusGiven) next.status = 'in_progress';
    return;
  }
  if (claim === false) {
    if (holder && holder !== agent) {
      throw conflict(
        `claim: ${current.id} is held by ${holder} until ${current.lease_until}; only they can release it.`,
        'claim',
      );
    }
    delete next.assignee;
    delete next.lease_until;
    if (!request.statusGiven && next.status === 'in_progress') next.status = 'open';
    return;
  }
  // Any other update from the holder renews the lease; finishing the work ends it.
  if (agent && current.assignee === agent) next.lease_until = lease;
  if (next.status === 'done' || next.status === 'cancelled') delete next.lease_until;
}
