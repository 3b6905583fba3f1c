import type { ToolDefinition } from '../tool.js';
import { backlogContext } from './backlog-context.js';
import { backlogCreate } from './backlog-create.js';
import { backlogDelete } from './backlog-delete.js';
import { backlogGet } from './backlog-get.js';
import { backlogList } from './backlog-list.js';
import { backlogSearch } from './backlog-search.js';
import { backlogUpdate } from './backlog-update.js';
import { writeResource } from './write-resource.js';

/** Every tool the server offers, in the order tools/list shows them. */
export const TOOLS: readonly ToolDefinition[] = [
  backlogList,
  backlogGet,
  backlogSearch,
  backlogContext,
  backlogCreate,
  backlogUpdate,
  backlogDelete,
  writeResource,
] as unknown as readonly ToolDefinition[];
