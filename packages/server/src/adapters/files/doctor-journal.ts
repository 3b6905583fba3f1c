import { readFile } from 'node:fs/promises';
import { parseCanonicalId } from '@backlog-mcp/shared';
import type { ActivityAction } from '../../core/activity.js';

export interface JournalIds {
  /** Every item ID the journal names: each was handed out once, so none may be handed out again. */
  issued: Set<string>;
  /** The last thing the journal says happened to each item. */
  lastAction: Map<string, ActivityAction>;
}

const ACTIONS: ReadonlySet<unknown> = new Set<ActivityAction>(['created', 'updated', 'deleted', 'edited']);

function isAction(value: unknown): value is ActivityAction {
  return ACTIONS.has(value);
}

/**
 * The item IDs in the activity journal, read without opening it as the server does (which would
 * mend a line cut short by a crash, a write the doctor must not make without --fix).
 */
export async function readJournalIds(path: string): Promise<JournalIds> {
  const ids: JournalIds = { issued: new Set(), lastAction: new Map() };
  let text = '';
  try {
    text = await readFile(path, 'utf8');
  } catch {
    return ids; // no journal yet
  }
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    let entry: unknown;
    try {
      entry = JSON.parse(line);
    } catch {
      continue; // a line cut short by a crash; the server skips it too
    }
    if (!entry || typeof entry !== 'object') continue;
    const { id, action } = entry as { id?: unknown; action?: unknown };
    if (typeof id !== 'string' || !parseCanonicalId(id)) continue;
    ids.issued.add(id);
    if (isAction(action)) ids.lastAction.set(id, action);
  }
  return ids;
}
