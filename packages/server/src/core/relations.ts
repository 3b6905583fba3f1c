import type { Item } from '@backlog-mcp/shared';
import type { Snapshot } from './ports.js';

const ID_IN_TEXT = /\b(TASK|EPIC|FLDR|ARTF|MLST)-(\d{4,})\b/g;

/** IDs named in a reference URL: mcp://backlog/tasks/TASK-0007.md or any URL containing an ID. */
export function idsInText(text: string): string[] {
  return [...text.matchAll(ID_IN_TEXT)].map((m) => `${m[1]}-${m[2]}`);
}

/** Who contains whom and who references whom, derived once per snapshot instead of per request. */
export interface Relations {
  /** Items whose parent_id is the key, or whose epic_id is the key (for epics). */
  childrenOf(id: string): readonly Item[];
  /** Items with a reference naming the key. */
  referrersOf(id: string): readonly Item[];
  /** Items whose blocked_by names the key: what waits on it. */
  dependentsOf(id: string): readonly Item[];
  /** Items carrying the label. */
  labelledWith(label: string): readonly Item[];
  /** Every label in use with how many items carry it, most used first. */
  labelCounts(): ReadonlyArray<{ name: string; count: number }>;
}

const cache = new WeakMap<Snapshot, Relations>();

export function relationsOf(snapshot: Snapshot): Relations {
  let relations = cache.get(snapshot);
  if (!relations) {
    relations = buildRelations(snapshot.items);
    cache.set(snapshot, relations);
  }
  return relations;
}

function buildRelations(items: readonly Item[]): Relations {
  const children = new Map<string, Item[]>();
  const referrers = new Map<string, Item[]>();
  const dependents = new Map<string, Item[]>();
  const labelled = new Map<string, Item[]>();
  const add = (map: Map<string, Item[]>, key: string, item: Item) => {
    const list = map.get(key);
    if (list) list.push(item);
    else map.set(key, [item]);
  };
  for (const item of items) {
    if (item.parent_id) add(children, item.parent_id, item);
    if (item.epic_id && item.epic_id !== item.parent_id) add(children, item.epic_id, item);
    const named = new Set((item.references ?? []).flatMap((ref) => idsInText(ref.url)));
    for (const id of named) if (id !== item.id) add(referrers, id, item);
    for (const id of item.blocked_by ?? []) add(dependents, id, item);
    for (const label of item.labels ?? []) add(labelled, label, item);
  }
  return {
    childrenOf: (id) => children.get(id) ?? [],
    referrersOf: (id) => referrers.get(id) ?? [],
    dependentsOf: (id) => dependents.get(id) ?? [],
    labelledWith: (label) => labelled.get(label) ?? [],
    labelCounts: () =>
      [...labelled]
        .map(([name, carriers]) => ({ name, count: carriers.length }))
        .sort((a, b) => b.count - a.count || (a.name < b.name ? -1 : 1)),
  };
}
