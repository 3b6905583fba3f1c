import type { Item, Status } from '@backlog-mcp/shared';
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
  /** The status the update asks for, if any. */
  status?: Status;
  /** Override another agent's running claim; the journal records whose. */
  force?: boolean;
  now: Date;
  leaseMs: number;
}

export interface ClaimOutcome {
  /** The holder whose running claim this update overrode with `force`. */
  overrode?: string;
}

const FINISHED: readonly Status[] = ['done', 'cancelled'];

/**
 * Applies claim / release / lease renewal to `next`, and guards what a claim protects: while
 * a lease runs, only the holder may change the status, re-claim or release (unless `force`).
 * Evidence, body and other fields stay open to everyone. Runs inside the core's write lock,
 * so checking the holder and taking the claim are one atomic step.
 */
export function applyClaim(current: Item, next: Item, request: ClaimRequest): ClaimOutcome {
  const { claim, agent, now } = request;
  if (claim === true && !agent) throw invalid('agent', 'a name for the claiming agent (the client sent none)', agent);
  if (claim === true && request.status === undefined && FINISHED.includes(current.status)) refuseFinished(current);
  const holder = activeHolder(current, now);
  const foreign = holder !== undefined && holder !== agent;
  const statusChange = request.status !== undefined && request.status !== current.status;
  if (foreign && !request.force) refuse(current, holder, claim, statusChange);
  const outcome: ClaimOutcome = foreign && (claim !== undefined || statusChange) ? { overrode: holder } : {};
  const lease = new Date(now.getTime() + request.leaseMs).toISOString();
  if (claim === true) {
    next.assignee = agent;
    next.lease_until = lease;
    if (request.status === undefined) next.status = 'in_progress';
  } else if (claim === false || outcome.overrode || lapsedAndMovedOn(current, holder, agent, statusChange)) {
    // A release, a forced status change, or another agent moving a lapsed claim's item on: the claim ends.
    delete next.assignee;
    delete next.lease_until;
    if (claim === false && request.status === undefined && next.status === 'in_progress') next.status = 'open';
  } else if (agent && current.assignee === agent) {
    next.lease_until = lease; // any other update from the holder renews the lease
  }
  // Finishing the work ends the claim: nobody holds a done item.
  if (FINISHED.includes(next.status)) {
    delete next.assignee;
    delete next.lease_until;
  }
  return outcome;
}

/** The lease ran out and someone other than its holder changes the status: nobody holds the item now. */
function lapsedAndMovedOn(current: Item, holder: string | undefined, agent: string | undefined, statusChange: boolean) {
  return statusChange && holder === undefined && current.assignee !== undefined && current.assignee !== agent;
}

/** A claim alone would put finished work back in progress: that must be asked for, not a side effect. */
function refuseFinished(item: Item): never {
  throw conflict(
    `claim: ${item.id} is ${item.status}; a claim would reopen it. To reopen it and take it, pass status "in_progress" (or "open") with claim=true; otherwise pick other work (backlog_list ready=true).`,
    'claim',
  );
}

function refuse(item: Item, holder: string, claim: boolean | undefined, statusChange: boolean): void {
  const held = `${item.id} is held by ${holder} until ${item.lease_until}`;
  const override = 'pass force=true to override (the journal records it)';
  if (claim === true) {
    throw conflict(
      `claim: ${held}. Pick other work (backlog_list ready=true), wait for the lease to end, or ${override}.`,
      'claim',
    );
  }
  if (claim === false) throw conflict(`claim: ${held}; only they can release it, or ${override}.`, 'claim');
  if (statusChange) {
    throw conflict(
      `status: ${held}; only the holder can change its status (evidence and body edits stay open to all). ` +
        `If it is your own claim from an earlier session, or the holder is gone, ${override}.`,
      'status',
    );
  }
}
