import { normalizeId } from '@backlog-mcp/shared';
import { z } from 'zod';
import { Id } from '../inputs.js';
import { DeleteOutput } from '../outputs.js';
import { defineTool } from '../tool.js';

export const backlogDelete = defineTool({
  name: 'backlog_delete',
  title: 'Delete an item',
  description: 'Delete permanently (IDs are never reused). Prefer status done/cancelled to keep history.',
  input: z.object({ id: Id() }).strict(),
  output: DeleteOutput,
  annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: false, openWorldHint: false },
  async run(args, { backlog, actor }) {
    await backlog.delete(args.id, actor('backlog_delete'));
    const id = normalizeId(args.id)?.id ?? args.id;
    return { structured: { id, deleted: true }, text: `Deleted ${id}` };
  },
});
