import type { Item } from '@backlog-mcp/shared';
import type { ActivityAction } from '../../core/activity.js';
import { idsInText } from '../../core/relations.js';
import type { Finding } from './doctor-findings.js';

const CHOOSE_LINK = 'dropping the link or bringing the item back means choosing';
/** The server's own links to items: what backlog_context resolves for sure. */
const OWN_URI = 'mcp://backlog/';

/**
 * Links to items that have no file: parent_id, epic_id, blocked_by and references naming an ID
 * (the links core/relations.ts follows). `present` holds every item file's ID, readable or not,
 * so a link to a conflicted file is not called missing.
 */
export function checkReferences(
  items: readonly Item[],
  present: ReadonlySet<string>,
  lastAction: ReadonlyMap<string, ActivityAction>,
): Finding[] {
  const findings: Finding[] = [];
  for (const item of items) {
    const file = `tasks/${item.id}.md`;
    const missing = (link: string, target: string): Finding => ({
      kind: 'missing-reference',
      file,
      id: item.id,
      message: `${link} names ${target}, which does not exist${lastAction.get(target) === 'deleted' ? ' (deleted)' : ''}`,
      fixable: false,
      unfixedBecause: CHOOSE_LINK,
    });
    for (const field of ['parent_id', 'epic_id'] as const) {
      const target = item[field];
      if (target && !present.has(target)) findings.push(missing(field, target));
    }
    for (const target of item.blocked_by ?? []) {
      if (present.has(target)) continue;
      if (lastAction.get(target) !== 'deleted') findings.push(missing('blocked_by', target));
      else
        findings.push({
          kind: 'deleted-blocker',
          file,
          id: item.id,
          message: `blocked_by names ${target}, which was deleted (it counts as resolved)`,
          fixable: false,
        });
    }
    for (const ref of item.references ?? []) {
      for (const target of new Set(idsInText(ref.url))) {
        if (target === item.id || present.has(target)) continue;
        if (ref.url.startsWith(OWN_URI)) findings.push(missing(`the reference ${ref.url}`, target));
        else
          findings.push({
            kind: 'outside-reference',
            file,
            id: item.id,
            message: `a reference URL names ${target}, which is not an item here (${ref.url})`,
            fixable: false,
          });
      }
    }
  }
  return findings;
}
