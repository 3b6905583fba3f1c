import type { EntityType, Status } from './entities.js';

/**
 * One item as GET /api/graph sends it to the viewer's dependency graph: no body, no history,
 * only what links it and what its node shows. The server builds it, the viewer draws it.
 */
export interface GraphRow {
  id: string;
  title: string;
  type: EntityType;
  status: Status;
  parent_id?: string;
  epic_id?: string;
  blocked_by?: string[];
  assignee?: string;
  lease_until?: string;
}
