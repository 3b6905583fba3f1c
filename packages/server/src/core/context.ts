import { type Item, type ItemStub, type Reference, toStub } from '@backlog-mcp/shared';
import type { ActivityEntry } from './activity.js';
import { idsInText, type Relations } from './relations.js';

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

export interface ContextInput {
  focal: Item;
  relations: Relations;
  lookup: (id: string) => Item | undefined;
  depth: 1 | 2;
  activity: ActivityEntry[];
  related: RelatedItem[];
}

export function buildContext(input: ContextInput): TaskContext {
  const { focal, relations, lookup, depth } = input;
  const parent = focal.parent_id ? lookup(focal.parent_id) : undefined;
  const epic = focal.epic_id ? lookup(focal.epic_id) : undefined;
  const children = relations.childrenOf(focal.id);
  const container = parent ?? epic;
  const siblings = container ? relations.childrenOf(container.id).filter((item) => item.id !== focal.id) : [];

  const context: TaskContext = {
    focal,
    children: children.map(toStub),
    siblings: siblings.map(toStub),
    references: resolveReferences(focal.references ?? [], lookup),
    referenced_by: relations.referrersOf(focal.id).map(toStub),
    related: input.related,
    activity: input.activity,
  };
  if (parent) context.parent = toStub(parent);
  if (epic) context.epic = toStub(epic);
  if (depth === 2) {
    const grand = container?.parent_id ? lookup(container.parent_id) : undefined;
    context.ancestors = grand ? [toStub(grand)] : [];
    context.descendants = children.flatMap((child) => relations.childrenOf(child.id)).map(toStub);
  }
  return context;
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
