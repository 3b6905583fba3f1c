import { type Item, type ItemRef, isActive, type Reference, toRef } from '@backlog-mcp/shared';
import type { ActivityEntry } from './activity.js';
import { idsInText, type Relations } from './relations.js';

/** Neighbours are compact refs by default; with include_content they are whole items. */
export type Neighbour = ItemRef | Item;

export interface ResolvedReference extends Reference {
  /** Set when the URL names a backlog item (mcp://backlog/tasks/TASK-0007.md or any URL with an ID). */
  id?: string;
  status?: Item['status'];
}

export interface RelatedItem extends ItemRef {
  score: number;
}

export interface TaskContext {
  focal: Item;
  parent?: Neighbour;
  epic?: Neighbour;
  children: Neighbour[];
  siblings: Neighbour[];
  /** Other active items sharing a label, most labels in common first (not already a sibling or child). */
  same_labels?: Neighbour[];
  ancestors?: Neighbour[];
  descendants?: Neighbour[];
  waits_on: Neighbour[];
  blocking: Neighbour[];
  references: ResolvedReference[];
  referenced_by: Neighbour[];
  related: RelatedItem[];
  activity: ActivityEntry[];
}

export interface ContextInput {
  focal: Item;
  relations: Relations;
  lookup: (id: string) => Item | undefined;
  depth: 1 | 2;
  full: boolean;
  activity: ActivityEntry[];
  related: RelatedItem[];
}

/** Long bodies are cut in the compact answer; the whole item is one backlog_get away. */
const FOCAL_BODY_LIMIT = 2000;

export function buildContext(input: ContextInput): TaskContext {
  const { relations, lookup, depth, full } = input;
  const show = (item: Item): Neighbour => (full ? item : toRef(item));
  const focal = full ? input.focal : trimBody(input.focal);
  const parent = focal.parent_id ? lookup(focal.parent_id) : undefined;
  const epic = focal.epic_id ? lookup(focal.epic_id) : undefined;
  const children = relations.childrenOf(focal.id);
  const container = parent ?? epic;
  const siblings = container ? relations.childrenOf(container.id).filter((item) => item.id !== focal.id) : [];
  const waitsOn = (focal.blocked_by ?? []).flatMap((id) => {
    const blocker = lookup(id);
    return blocker ? [blocker] : [];
  });

  const context: TaskContext = {
    focal,
    children: children.map(show),
    siblings: siblings.map(show),
    waits_on: waitsOn.map(show),
    blocking: relations.dependentsOf(focal.id).map(show),
    references: resolveReferences(focal.references ?? [], lookup),
    referenced_by: relations.referrersOf(focal.id).map(show),
    related: input.related,
    activity: input.activity,
  };
  const alike = sameLabels(focal, relations, new Set([...siblings, ...children].map((item) => item.id)));
  if (alike.length) context.same_labels = alike.map(show);
  if (parent) context.parent = show(parent);
  if (epic) context.epic = show(epic);
  if (depth === 2) {
    const grand = container?.parent_id ? lookup(container.parent_id) : undefined;
    context.ancestors = grand ? [show(grand)] : [];
    context.descendants = children.flatMap((child) => relations.childrenOf(child.id)).map(show);
  }
  return context;
}

const SAME_LABELS_LIMIT = 10;

function sameLabels(focal: Item, relations: Relations, shown: ReadonlySet<string>): Item[] {
  const shared = new Map<Item, number>();
  for (const label of focal.labels ?? []) {
    for (const item of relations.labelledWith(label)) {
      if (item.id === focal.id || shown.has(item.id) || !isActive(item.status)) continue;
      shared.set(item, (shared.get(item) ?? 0) + 1);
    }
  }
  return [...shared]
    .sort(([a, na], [b, nb]) => nb - na || (a.updated_at < b.updated_at ? 1 : -1))
    .slice(0, SAME_LABELS_LIMIT)
    .map(([item]) => item);
}

function trimBody(item: Item): Item {
  if (item.description.length <= FOCAL_BODY_LIMIT) return item;
  const cut = item.description.slice(0, FOCAL_BODY_LIMIT);
  return {
    ...item,
    description: `${cut}\n… (${item.description.length - FOCAL_BODY_LIMIT} more characters: backlog_get)`,
  };
}

function resolveReferences(references: Reference[], lookup: ContextInput['lookup']): ResolvedReference[] {
  return references.map((ref) => {
    const resolved: ResolvedReference = { ...ref };
    const id = idsInText(ref.url)[0];
    const target = id ? lookup(id) : undefined;
    if (id && target) {
      resolved.id = id;
      resolved.status = target.status;
    }
    return resolved;
  });
}
