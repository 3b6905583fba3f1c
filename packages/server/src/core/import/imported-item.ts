import type { EntityType, Priority, Reference, Status } from '@backlog-mcp/shared';

/**
 * What every importer (adapters/import/*) produces from another tool's data: items in our model,
 * still naming each other by the source's own IDs. The core plans and applies them
 * (core/import/plan.ts); importers never allocate IDs or write anything.
 */

/** The tools we import from. `backlog-mcp` covers our own exports and the upstream project's folders. */
export const IMPORT_SYSTEMS = ['backlog.md', 'beads', 'taskmaster', 'github', 'backlog-mcp'] as const;
export type ImportSystem = (typeof IMPORT_SYSTEMS)[number];

/** Where an item came from; stored in its front matter as `source`, so a re-import updates it. */
export interface SourceRef {
  system: ImportSystem;
  /** The item's ID in the source, unique within the system and the source (e.g. "task-12", "bd-a1b2", "7.2", "#42"). */
  id: string;
  url?: string;
}

export interface ImportedItem {
  source: SourceRef;
  type: EntityType;
  title: string;
  status: Status;
  /** Markdown body: the source's description plus whatever has no field of its own here (acceptance criteria, notes, details, test strategy...). */
  description: string;
  priority?: Priority;
  labels?: string[];
  due_date?: string;
  references?: Reference[];
  evidence?: string[];
  blocked_reason?: string[];
  /** ISO 8601; absent: the time of the import. */
  created_at?: string;
  updated_at?: string;
  /**
   * A running claim, only from our own exports (another tool's "assignee" is a person, kept in
   * `extra.assignees`): an agent's claim moves with the backlog it holds work in.
   */
  assignee?: string;
  lease_until?: string;
  /** Source IDs (`SourceRef.id`) of other items of the same batch. */
  parent?: string;
  epic?: string;
  blocked_by?: string[];
  /**
   * Front matter kept as it is, under its own keys: fields we have no place for (e.g. `assignees`,
   * `close_reason`, `tag`), or an upstream backlog-mcp file's unknown keys. Never `source`.
   */
  extra?: Record<string, unknown>;
  /** Keep this ID in the target when it is free (our own exports and folders); otherwise a new one is allocated. */
  preferredId?: string;
}

export interface ImportBatch {
  system: ImportSystem;
  /** A short human name of what was read, e.g. "Backlog.md folder /home/me/app/backlog". */
  label: string;
  items: ImportedItem[];
  /** Things a user moving their tasks should know (a dependency on an unknown ID dropped, a status mapped by guess...). */
  warnings: string[];
}

/** A source that does not parse: which file, which line (1-based) when known, and what was wrong. */
export class SourceError extends Error {
  constructor(
    readonly file: string,
    readonly reason: string,
    readonly line?: number,
  ) {
    super(`${file}${line ? `:${line}` : ''}: ${reason}`);
    this.name = 'SourceError';
  }
}
