import type { Item, ItemStub } from '@backlog-mcp/shared';
import type { ActivityEntry } from '../core/activity.js';

/** Concise text renderings: what a model reads when its client ignores structuredContent. */
export function stubLine(stub: ItemStub): string {
  const where = [stub.epic_id && `epic ${stub.epic_id}`, stub.parent_id && `in ${stub.parent_id}`].filter(Boolean);
  return `${stub.id} [${stub.status}] ${stub.title}${where.length ? ` (${where.join(', ')})` : ''}`;
}

export function itemText(item: Item): string {
  const lines = [`${item.id} [${item.status}] ${item.type}: ${item.title}`];
  if (item.epic_id) lines.push(`epic: ${item.epic_id}`);
  if (item.parent_id) lines.push(`parent: ${item.parent_id}`);
  if (item.due_date) lines.push(`due: ${item.due_date}`);
  for (const ref of item.references ?? [])
    lines.push(`reference: ${ref.title ? `${ref.title} <${ref.url}>` : ref.url}`);
  for (const entry of item.evidence ?? []) lines.push(`evidence: ${entry}`);
  for (const reason of item.blocked_reason ?? []) lines.push(`blocked: ${reason}`);
  lines.push(`created ${item.created_at}, updated ${item.updated_at}`);
  if (item.description) lines.push('', item.description);
  return lines.join('\n');
}

export function activityLine(entry: ActivityEntry): string {
  const who = entry.actor ? ` by ${entry.actor}` : '';
  const what = entry.summary ?? entry.fields?.join(', ') ?? '';
  return `${entry.at} ${entry.action} ${entry.id ?? entry.uri ?? ''}${what ? ` (${what})` : ''}${who}`;
}
