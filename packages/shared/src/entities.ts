/** The five kinds of item a backlog holds, and the ID prefix each is filed under. */
export const ENTITY_TYPES = ['task', 'epic', 'folder', 'artifact', 'milestone'] as const;
export type EntityType = (typeof ENTITY_TYPES)[number];

export const TYPE_PREFIX: Readonly<Record<EntityType, string>> = {
  task: 'TASK',
  epic: 'EPIC',
  folder: 'FLDR',
  artifact: 'ARTF',
  milestone: 'MLST',
};

export const STATUSES = ['open', 'in_progress', 'blocked', 'done', 'cancelled'] as const;
export type Status = (typeof STATUSES)[number];

export const PRIORITIES = ['high', 'medium', 'low'] as const;
export type Priority = (typeof PRIORITIES)[number];

/** "Active" is what an agent still has to care about. */
export const ACTIVE_STATUSES: readonly Status[] = ['open', 'in_progress', 'blocked'];

/** Types that may be the `parent_id` of another item; artifacts are leaves. */
export const CONTAINER_TYPES: readonly EntityType[] = ['task', 'epic', 'folder', 'milestone'];

export interface Reference {
  url: string;
  title?: string;
}

/** One backlog item: the front matter fields plus the Markdown body as `description`. */
export interface Item {
  id: string;
  type: EntityType;
  title: string;
  status: Status;
  description: string;
  epic_id?: string;
  parent_id?: string;
  references?: Reference[];
  evidence?: string[];
  blocked_reason?: string[];
  due_date?: string;
  /** IDs of items that must be done (or cancelled) before this one is ready. */
  blocked_by?: string[];
  priority?: Priority;
  /** Free-form tags: lower-case, trimmed, unique, at most 20 of 40 characters each. */
  labels?: string[];
  /** The agent holding a claim on the item, until `lease_until`. */
  assignee?: string;
  lease_until?: string;
  /** Increases on every write; `if_version` compares against it. */
  version: number;
  created_at: string;
  updated_at: string;
  /** Front matter keys this version does not know, kept so a round trip loses nothing. */
  extra?: Record<string, unknown>;
}

/**
 * An item's front-matter keys, in the order files are written (the body is `description`). Any other
 * key a file holds is kept in `extra`; an `extra` key by one of these names would be lost on write.
 */
export const FRONT_MATTER_KEYS = [
  'id',
  'title',
  'status',
  'type',
  'epic_id',
  'parent_id',
  'due_date',
  'priority',
  'labels',
  'blocked_by',
  'assignee',
  'lease_until',
  'references',
  'evidence',
  'blocked_reason',
  'created_at',
  'updated_at',
  'version',
] as const satisfies readonly (keyof Item)[];

/** The compact form used in lists and context answers. */
export interface ItemStub {
  id: string;
  title: string;
  status: Status;
  type: EntityType;
  parent_id?: string;
  epic_id?: string;
  priority?: Priority;
  labels?: string[];
  assignee?: string;
  /** Set with `assignee` while a claim's lease runs. */
  lease_until?: string;
  version: number;
  updated_at: string;
}

export function toStub(item: Item): ItemStub {
  const stub: ItemStub = {
    id: item.id,
    title: item.title,
    status: item.status,
    type: item.type,
    version: item.version,
    updated_at: item.updated_at,
  };
  if (item.parent_id) stub.parent_id = item.parent_id;
  if (item.epic_id) stub.epic_id = item.epic_id;
  if (item.priority) stub.priority = item.priority;
  if (item.labels?.length) stub.labels = item.labels;
  if (item.assignee) stub.assignee = item.assignee;
  if (item.lease_until) stub.lease_until = item.lease_until;
  return stub;
}

export function isActive(status: Status): boolean {
  return ACTIVE_STATUSES.includes(status);
}

/** The smallest useful mention of an item: what context answers list by default. */
export interface ItemRef {
  id: string;
  title: string;
  status: Status;
}

export function toRef(item: Item): ItemRef {
  return { id: item.id, title: item.title, status: item.status };
}

export const LABEL_LIMITS = { perItem: 20, length: 40 } as const;

/**
 * Labels compare case-insensitively, so they are kept in one spelling: trimmed, lower-case,
 * inner whitespace collapsed, first occurrence wins. Limits are checked at the edge, not here:
 * a hand-written file with 30 labels still loads.
 */
export function normalizeLabels(labels: readonly string[]): string[] {
  const seen = new Set<string>();
  for (const raw of labels) {
    const label = raw.trim().replace(/\s+/g, ' ').toLowerCase();
    if (label) seen.add(label);
  }
  return [...seen];
}
