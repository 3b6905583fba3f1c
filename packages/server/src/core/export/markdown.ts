import type { Item } from '@backlog-mcp/shared';
import type { ExportHeader } from './formats.js';

/**
 * One readable document: a section per milestone, then per epic, then the rest. An item sits
 * under the nearest milestone its parent chain reaches, else its epic (its own epic_id or one on
 * its parent chain); each item appears once, its container first.
 */
export function toMarkdown(items: readonly Item[], header: ExportHeader): string {
  const byId = new Map(items.map((item) => [item.id, item]));
  const groups = new Map<string, Item[]>();
  for (const item of items) {
    if (item.type === 'milestone' || item.type === 'epic') continue;
    const key = groupOf(item, byId) ?? '';
    const list = groups.get(key);
    if (list) list.push(item);
    else groups.set(key, [item]);
  }
  const out = [
    `# Backlog export`,
    '',
    `Exported ${header.exported_at}${header.backlog ? ` from ${header.backlog}` : ''}: ${items.length} items.`,
    '',
  ];
  const heads = items.filter((item) => item.type === 'milestone').concat(items.filter((item) => item.type === 'epic'));
  for (const head of heads) {
    out.push(
      `## ${head.type === 'milestone' ? 'Milestone' : 'Epic'} ${head.id}: ${head.title}`,
      '',
      metaLine(head),
      '',
    );
    if (head.description.trim()) out.push(head.description.trim(), '');
    for (const item of groups.get(head.id) ?? []) out.push(...itemBlock(item));
  }
  const rest = groups.get('') ?? [];
  if (rest.length) {
    out.push('## Not in a milestone or epic', '');
    for (const item of rest) out.push(...itemBlock(item));
  }
  return `${out.join('\n').trimEnd()}\n`;
}

function groupOf(item: Item, byId: ReadonlyMap<string, Item>): string | undefined {
  let epic = item.epic_id;
  const seen = new Set<string>();
  for (let at = item.parent_id; at && !seen.has(at); at = byId.get(at)?.parent_id) {
    seen.add(at);
    const container = byId.get(at);
    if (container?.type === 'milestone') return container.id;
    if (!epic && container?.type === 'epic') epic = container.id;
    if (!epic && container?.epic_id) epic = container.epic_id;
  }
  return epic && byId.has(epic) ? epic : undefined;
}

function metaLine(item: Item): string {
  const parts = [`**${item.status.replace('_', ' ')}**`, item.type];
  if (item.priority) parts.push(`priority ${item.priority}`);
  if (item.due_date) parts.push(`due ${item.due_date}`);
  if (item.labels?.length) parts.push(`labels: ${item.labels.join(', ')}`);
  if (item.parent_id) parts.push(`in ${item.parent_id}`);
  if (item.blocked_by?.length) parts.push(`waits on ${item.blocked_by.join(', ')}`);
  if (item.assignee) parts.push(`held by ${item.assignee}`);
  parts.push(`updated ${item.updated_at.slice(0, 10)}`);
  return parts.join(' · ');
}

function itemBlock(item: Item): string[] {
  const lines = [`### ${item.id}: ${item.title}`, '', metaLine(item), ''];
  if (item.description.trim()) lines.push(item.description.trim(), '');
  if (item.evidence?.length) lines.push('Evidence:', ...item.evidence.map((e) => `- ${e}`), '');
  if (item.references?.length)
    lines.push('References:', ...item.references.map((r) => `- ${r.title ? `[${r.title}](${r.url})` : r.url}`), '');
  return lines;
}
