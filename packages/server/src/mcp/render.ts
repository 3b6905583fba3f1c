import type { Item, ItemRef, ItemStub } from '@backlog-mcp/shared';
import type { ActivityEntry } from '../core/activity.js';

/** "1 item", "2 items", "0 matches": a count and its noun, as English reads them. */
export function count(n: number, singular: string, plural = `${singular}s`): string {
  return `${n} ${n === 1 ? singular : plural}`;
}

/** Concise text renderings: what a model reads when its client ignores structuredContent. */
/** A line of a `scope: "all"` answer names its project first: IDs repeat across projects. */
export function withProject<T extends object>(line: (entry: T) => string): (entry: T & { project?: string }) => string {
  return (entry) => (entry.project ? `${entry.project}: ${line(entry)}` : line(entry));
}

export function stubLine(stub: ItemStub): string {
  const where = [stub.epic_id && `epic ${stub.epic_id}`, stub.parent_id && `in ${stub.parent_id}`].filter(Boolean);
  const extra = [
    stub.priority && `${stub.priority} priority`,
    stub.labels?.length && `labels ${stub.labels.join(', ')}`,
    stub.assignee && stub.lease_until && `held by ${stub.assignee}`,
  ].filter(Boolean);
  const notes = [...where, ...extra];
  return `${stub.id} [${stub.status}] ${stub.title}${notes.length ? ` (${notes.join(', ')})` : ''}`;
}

export function refLine(ref: ItemRef): string {
  return `${ref.id} [${ref.status}] ${ref.title}`;
}

export function itemText(item: Item & { waits_on?: ItemRef[]; blocking?: ItemRef[] }): string {
  const lines = [`${item.id} [${item.status}] ${item.type}: ${item.title} (v${item.version})`];
  if (item.priority) lines.push(`priority: ${item.priority}`);
  if (item.labels?.length) lines.push(`labels: ${item.labels.join(', ')}`);
  if (item.assignee) lines.push(`assignee: ${item.assignee}${item.lease_until ? ` until ${item.lease_until}` : ''}`);
  for (const ref of item.waits_on ?? []) lines.push(`waits on: ${refLine(ref)}`);
  for (const ref of item.blocking ?? []) lines.push(`blocking: ${refLine(ref)}`);
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
