/** One line of the activity journal: who did what to which item, and when. */
export type ActivityAction = 'created' | 'updated' | 'deleted' | 'edited';

export interface ActivityEntry {
  at: string;
  tool: string;
  action: ActivityAction;
  id?: string;
  uri?: string;
  fields?: string[];
  actor?: string;
  /** Short facts worth showing in a timeline, e.g. the new status. */
  summary?: string;
  /** The holder whose running claim this change overrode with force=true. */
  overrode?: string;
}

/** Who is acting and through which door; passed with every write. */
export interface Actor {
  tool: string;
  name?: string;
  /** Tells apart two sessions of the same client program, for claims. */
  session?: string;
}

/**
 * The identity a claim is held under: an explicit `agent` name (stable across sessions and
 * reconnects), else the client's name tagged with its session (two sessions of one program are
 * two agents). The CLI always sends `agent` (BACKLOG_ACTOR_NAME, else user@host). docs/agents.md
 * states the rule for users.
 */
export function claimant(actor: Actor, explicit?: string): string | undefined {
  if (explicit?.trim()) return explicit.trim();
  if (!actor.name) return actor.session ? `agent#${actor.session}` : undefined;
  return actor.session ? `${actor.name}#${actor.session}` : actor.name;
}
