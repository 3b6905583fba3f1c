import { type Item, type ItemStub, type Reference, toStub } from '@backlog-mcp/shared';
import type { ActivityEntry } from './activity.js';

export interface ResolvedReference extends Reference {
  /** Set when the URL names a backlog item (mcp://backlog/tasks/TASK-0007.md or any URL with an ID). */
  id?: string;
  item?: ItemStub;
}

export interface RelatedItem extends ItemStub {
  score: number;
}

export interface TaskContext {
  focal: Item;
  parent?: ItemStub;
  epic?: ItemStub;
  children: ItemStub[];
  siblings: ItemStub[];
  ancestors?: ItemStub[];
  descendants?: ItemStub[];
  references: ResolvedReference[];
  referenced_by: ItemStub[];
  related: RelatedItem[];
  activity: ActivityEntry[];
}

const ID_IN_TEXT = /\b(TASK|EPIC|FLDR|ARTF|MLST)-(\d{4,})\b/g;

export function idsInText(text: string): string[] {
  return [...text.matchAll(ID_IN_TEXT)].map((m) => `${m[1]}-${m[2]}`);
}

/** Children of an item: what names it as parent, and for an epic what names it as epic. */
function childrenOf(id: string, items: readonly Item[]): Item[] {
  return items.filter((item) => item.parent_id === id || (item.epic_id === id && item.parent_id !== id));
}

export interface ContextInput {
  focal: Item;
  items: readonly Item[];
  lookup: (id: string) => Item | undefined;
  depth: 1 | 2;
  activity: ActivityEntry[];
  related: RelatedItem[];
}

export function buildContext(input: ContextInput): TaskContext {
  const { focal, items, lookup, depth } = input;
  const parent = focal.parent_id ? lookup(focal.parent_id) : undefined;
  const epic = focal.epic_id ? lookup(focal.epic_id) : undefined;
  const children = childrenOf(focal.id, items);
  const container = parent ?? epic;
  const siblings = container ? childrenOf(container.id, items).filter((item) => item.id !== focal.id) : [];

  const context: TaskContext = {
    focal,
    children: children.map(toStub),
    siblings: siblings.map(toStub),
    references: resolveReferences(focal.references ?? [], lookup),
    referenced_by: items.filter((item) => item.id !== focal.id && refersTo(item, focal.id)).map(toStub),
    related: input.related,
    activity: input.activity,
  };
  if (parent) context.parent = toStub(parent);
  if (epic) context.epic = toStub(epic);
  if (depth === 2) {
    const grand = container?.parent_id ? lookup(container.parent_id) : undefined;
    context.ancestors = grand ? [toStub(grand)] : [];
    context.descendants = children.flatMap((child) => childrenOf(child.id, items)).map(toStub);
  }
  return context;
}

function refersTo(item: Item, id: string): boolean {
  return (item.references ?? []).some((ref) => idsInText(ref.url).includes(id));
}

function resolveReferences(references: Reference[], lookup: ContextInput['lookup']): ResolvedReference[] {
  return references.map((ref) => {
    const resolved: ResolvedReference = { ...ref };
    const id = idsInText(ref.url)[0];
    const target = id ? lookup(id) : undefined;
    if (id && target) {
      resolved.id = id;
      resolved.item = toStub(target);
    }
    return resolved;
  });
}
